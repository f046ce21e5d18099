using static TorchSharp.torch;
using Eppo.Contracts;
using Eppo.Core.Learning;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;

namespace Eppo.Core.Tests.Iteration;

/// <summary>
/// The SFT reference cache: the official variant's per-module SFT energies it keeps per prompt equal what the learner
/// computed from the cached answers before (its frozen reference over the padded batch) within float rounding, and
/// PAR's score is kept beside the answer.
/// </summary>
public sealed class EnergyReferenceCacheTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("eppo-reference-").FullName;
    static readonly RunSpec Official = TinyRun.Spec() with { EnergyDefinition = "official", MaxNewTokens = 6 };

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Largest |cached − learner's| allowed; measured on this run: 3e-8 over every module and prompt (float32 rounding of passes of another shape).</summary>
    const double Tolerance = 1e-6;

    [Fact]
    public void OfficialModuleEnergiesEqualTheLearnersPassOverItsPaddedBatch()
    {
        var (sftPath, _) = ModelPreparation.PrepareSft(Official, root);
        var task = TrainingTasks.For(Official);
        var prompts = task.TrainPrompts(Official);
        var ids = prompts.Ids.Take(24).ToArray();
        var tokens = prompts.Tokens.Take(24).ToArray();
        Assert.True(tokens.Select(t => t.Length).Distinct().Count() > 1, "prompts of several lengths: the learner's batch is padded");

        using var reference = SftEnergyReference.For(sftPath, task.Codec, Official);
        var (found, computed) = new EnergyReferenceCache().Get(ids, tokens, reference);
        Assert.Equal(24, computed.Count);
        var cached = found.ModuleEnergies!;                                             // (M × B)
        Assert.Equal(3, cached.Length);                                                  // gate, up, down
        Assert.All(cached, m => Assert.Equal(24, m.Length));

        // What ExperienceMaker did before: the learner's frozen SFT reference, teacher-forced over the padded batch.
        using var learner = new PpoLearner(Official, task.Codec, ModelPreparation.LoadSft(sftPath, Official));
        float[,] before;
        using (no_grad())
        using (NewDisposeScope())
        {
            var energy = learner.Models.Reference(SequenceBatch.Build(tokens, found.Answers, task.Codec.EosId, task.Codec.PadId)).MeanEnergy; // (B, M)
            var values = energy.cpu().data<float>().ToArray();
            before = new float[24, 3];
            for (var b = 0; b < 24; b++)
                for (var m = 0; m < 3; m++) before[b, m] = values[b * 3 + m];
        }
        var largest = 0.0;
        for (var b = 0; b < 24; b++)
            for (var m = 0; m < 3; m++) largest = Math.Max(largest, Math.Abs(cached[m][b] - before[b, m]));
        Assert.True(largest <= Tolerance, $"largest difference {largest:E2}");
        Assert.Contains(cached.SelectMany(m => m), e => e != 0);

        // Read in a group of another size (alone), an answer's values move in the last bits at most: libtorch's kernels
        // depend on the batch size, not on the other rows (there is no padding). Measured: 4e-9 (ΔE_SFT), 3e-8 (modules).
        for (var b = 0; b < 24; b += 3)
        {
            var alone = new EnergyReferenceCache().Get([ids[b]], [tokens[b]], reference).Reference;
            Assert.Equal(found.Answers[b], alone.Answers[0]);
            Assert.Equal(found.Energy[b], alone.Energy[0], Tolerance);
            for (var m = 0; m < 3; m++) Assert.Equal(cached[m][b], alone.ModuleEnergies![m][0], Tolerance);
        }
    }

    [Fact]
    public void EntriesAreRestoredScoredOnceAndRecomputedWhenTheyLackWhatTheReferenceReads()
    {
        var spec = TinyRun.Spec() with { MaxNewTokens = 4 };
        var (sftPath, _) = ModelPreparation.PrepareSft(spec, root);
        var task = TrainingTasks.For(spec);
        var prompts = task.TrainPrompts(spec);
        string[] ids = [prompts.Ids[0], prompts.Ids[1], prompts.Ids[0]];
        int[][] tokens = [prompts.Tokens[0], prompts.Tokens[1], prompts.Tokens[0]];

        using var paper = SftEnergyReference.For(sftPath, task.Codec, spec);
        var cache = new EnergyReferenceCache();
        var (first, computed) = cache.Get(ids, tokens, paper);
        Assert.Equal(2, computed.Count);                                                // the repeated prompt is computed once
        Assert.Equal((1, 2L), (first.Hits, cache.Misses));
        Assert.Null(first.ModuleEnergies);
        Assert.All(first.ReferenceScores!, score => Assert.Null(score));

        // PAR's score is kept beside the answer; a prompt not cached is left out.
        Assert.Equal([ids[0]], cache.SetReferenceScores([ids[0], "unknown"], [0.25f, 9f]).Select(e => e.Key));
        var (second, none) = cache.Get(ids, tokens, paper);
        Assert.Empty(none);
        Assert.Equal(new float?[] { 0.25f, null, 0.25f }, second.ReferenceScores);
        Assert.Equal(first.Energy, second.Energy);

        // Restored elsewhere (a log), the entries are hits; without module energies they are misses for the official reference.
        var restored = new EnergyReferenceCache();
        restored.Restore(cache.Entries);
        Assert.Empty(restored.Get(ids, tokens, paper).Computed);
        using var official = SftEnergyReference.For(sftPath, task.Codec, spec with { EnergyDefinition = "official" });
        var (recomputed, again) = restored.Get(ids, tokens, official);
        Assert.Equal(2, again.Count);
        Assert.Equal(first.Energy, recomputed.Energy);                                   // greedy: the same answers, the same ΔE_SFT
        Assert.Equal(3, recomputed.ModuleEnergies!.Length);
    }
}
