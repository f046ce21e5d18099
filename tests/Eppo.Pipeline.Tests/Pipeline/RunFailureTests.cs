using Eppo.Contracts.Messages;
using Eppo.Tests;
using Eppo.Contracts;
using Eppo.Core.Model;
using Eppo.Core.Preparation;
using Eppo.Grains.Interfaces;
using static TorchSharp.torch;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>
/// Deterministic failures end the run at once — Failed, a reason naming stage and iteration, no retry — and leave the
/// last good checkpoint and a healthy cluster. (A retried one would sit in "retrying (attempt n)" for minutes and time
/// these tests out.)
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class RunFailureTests(PipelineCluster fixture)
{
    static RunSpec Tiny => RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json"));

    async Task<RunStatus> FailAsync(RunSpec spec, string name)
    {
        var runId = name + "-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Client.GetGrain<IRunGrain>(runId).StartAsync(spec.ToJson());
        var failed = await fixture.WaitAsync(runId, timeoutSeconds: 60);
        Assert.True(failed.State == RunState.Failed, $"{failed.State}: {failed.Reason}");
        Assert.Matches(@"^stage '[a-z +]+', iteration \d+: ", failed.Reason);
        Assert.Equal(0, failed.FailedAttempts);
        Assert.Equal(failed.History.Count, failed.Iteration);   // rolled back to the last good checkpoint
        return failed;
    }

    /// <summary>The tiny spec's trained models, a copy of one changed by <paramref name="change"/> in a new directory.</summary>
    string ChangedCopy(Func<PreparedModels, string> pick, Action<DecoderModel> change)
    {
        var models = ModelPreparation.Prepare(Tiny, fixture.DataRoot);
        var (model, extra) = ModelStore.Load(pick(models));
        using (no_grad()) change(model);
        var dir = Path.Combine(fixture.DataRoot, "changed-" + Guid.NewGuid().ToString("N")[..8]);
        ModelStore.Save(dir, model, extra);
        return dir;
    }

    [Fact]
    public async Task ANaNFromTheRewardModelFailsTheRunAtOnceAndTheClusterStaysHealthy()
    {
        var broken = ChangedCopy(m => m.RewardPaths[0], rm => { foreach (var p in rm.parameters()) p.fill_(double.NaN); });
        var failed = await FailAsync(Tiny with { Reward = Tiny.Reward with { Source = broken } }, "nan");
        Assert.Contains("score + energy reference", failed.Reason);
        Assert.Contains("NaN", failed.Reason);

        var okId = "after-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Client.GetGrain<IRunGrain>(okId).StartAsync((Tiny with { Iterations = 2 }).ToJson());
        var ok = await fixture.WaitAsync(okId);
        Assert.True(ok.State == RunState.Completed, ok.Reason);
    }

    [Fact]
    public async Task AModelOfTheWrongShapeFailsTheRunAtOnce()
    {
        // A policy whose vocabulary is smaller than the task's: the prompts hold token ids it has no embedding for.
        var dir = Path.Combine(fixture.DataRoot, "small-vocab-" + Guid.NewGuid().ToString("N")[..8]);
        using (var policy = new DecoderModel(ModelConfig.Tiny(vocabSize: 8, maxPositions: 64), HeadKind.LanguageModel, seed: 1))
            ModelStore.Save(dir, policy);
        var failed = await FailAsync(Tiny with { Sft = Tiny.Sft with { Source = dir }, Reward = Tiny.Reward with { Source = "gold" } }, "shape");
        Assert.StartsWith("stage 'generate', iteration 0", failed.Reason);
    }

    [Fact]
    public async Task AMissingModelFileFailsTheRunAtOnceNamingIt()
    {
        var dir = ChangedCopy(m => m.SftPath, _ => { });
        var spec = Tiny with { Sft = Tiny.Sft with { Source = dir }, Reward = Tiny.Reward with { Source = "gold" } };
        var weights = Directory.GetFiles(dir, "*.safetensors").Single();
        File.Delete(weights);   // after the spec's check that the directory exists, as when a disk loses a file
        var failed = await FailAsync(spec, "missing");
        Assert.Contains(Path.GetFileName(weights), failed.Reason);
    }
}
