using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Ppo;

namespace Eppo.Core.Training;

/// <summary>
/// ΔE_SFT(x): the SFT model's final-layer energy loss on its own greedy response to x, and that response (PAR's
/// reference answer). With a module reader (energy_definition "official"), also the frozen SFT model's output energy of
/// each final-MLP linear on that response, teacher-forced as the learner's reference model reads it. Greedy decoding
/// makes all of them a function of x alone, which is what lets the pipeline cache them per prompt.
/// </summary>
public sealed class SftEnergyReference(DecoderModel sft, TaskCodec codec, int maxNewTokens, DecoderModel? moduleReader = null) : IDisposable
{
    /// <summary>
    /// The reference a run needs. Its module reader is a copy of the SFT model at site MlpOutputs, made as the
    /// learner makes its frozen reference (<see cref="Learning.FullModels"/>), so both read the same weights.
    /// </summary>
    public static SftEnergyReference For(RunSpec spec, DecoderModel sft, TaskCodec codec)
    {
        DecoderModel? reader = null;
        if (EnergyVariant.Of(spec).Official)
        {
            reader = ModelFactory.CopyOf(sft, HeadKind.LanguageModel, spec.Seed, EnergySite.MlpOutputs);
            reader.eval();
            foreach (var p in reader.parameters()) p.requires_grad = false;
        }
        return new SftEnergyReference(sft, codec, spec.MaxNewTokens, reader);
    }

    /// <summary>Whether <see cref="Compute"/> also reads the per-module energies.</summary>
    public bool ReadsModules => moduleReader is not null;

    public void Dispose()
    {
        sft.Dispose();
        moduleReader?.Dispose();
    }

    /// <summary>ΔE_SFT (B), the greedy answers (B), and with a module reader the energies per answer (B × M), else null.</summary>
    public (float[] Energy, int[][] Answers, float[][]? Modules) Compute(int[][] prompts)
    {
        var result = new SequenceGenerator(sft).Generate(prompts, GenerationOptions.Greedy(maxNewTokens, codec.EosId) with { PadId = codec.PadId });
        Finite.Require(result.MeanEnergy, "SFT reference energy", "energy reference");
        return (result.MeanEnergy, result.Responses, moduleReader is null ? null : ModuleEnergies(moduleReader, prompts, result.Responses));
    }

    /// <summary>
    /// (B × M), teacher-forced in groups of equal prompt and answer length: no padding, so an answer's energies do not
    /// depend on which others are read with it (the learner read them over its padded batch: the last bits may differ).
    /// </summary>
    float[][] ModuleEnergies(DecoderModel reader, int[][] prompts, int[][] answers)
    {
        var rows = new float[prompts.Length][];
        foreach (var group in Enumerable.Range(0, prompts.Length).GroupBy(i => (prompts[i].Length, answers[i].Length)))
        {
            var members = group.ToArray();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var batch = SequenceBatch.Build(members.Select(i => prompts[i]).ToArray(), members.Select(i => answers[i]).ToArray(), codec.EosId, codec.PadId);
            var energy = TeacherForcing.Score(reader, batch).MeanEnergy;                 // (G, M)
            var modules = (int)energy.shape[1];
            var values = energy.cpu().data<float>().ToArray();
            for (var j = 0; j < members.Length; j++) rows[members[j]] = values[(j * modules)..((j + 1) * modules)];
        }
        foreach (var row in rows) Finite.Require(row, "SFT module energy", "energy reference");
        return rows;
    }
}
