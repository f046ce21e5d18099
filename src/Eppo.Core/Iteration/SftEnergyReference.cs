using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Ppo;
using Eppo.Core.Preparation;

namespace Eppo.Core.Iteration;

/// <summary>
/// ΔE_SFT(x): the SFT model's final-layer energy loss on its own greedy response to x, and that response (PAR's
/// reference answer). When <paramref name="readsModules"/> (energy_definition "official"), also the SFT model's output
/// energy of each final-MLP linear on that response, teacher-forced as the learner's reference reads it. Greedy
/// decoding makes all of them a function of x alone, which is what lets the pipeline cache them per prompt. The SFT
/// model is a lease on the process's frozen copy (with adapters, the base they adapt: the adapters off); a pass names
/// its energy site (<paramref name="site"/>, the run's probe site; the module energies at MlpOutputs).
/// </summary>
public sealed class SftEnergyReference(FrozenModel sft, TaskCodec codec, int maxNewTokens, EnergySite site, bool readsModules = false) : IDisposable
{
    /// <summary>The reference a run's spec asks for over the SFT model at <paramref name="sftPath"/>.</summary>
    public static SftEnergyReference For(string sftPath, TaskCodec codec, RunSpec spec) =>
        new(FrozenModels.Acquire(sftPath, WeightDtypes.Of(spec)), codec, spec.MaxNewTokens, EnergySites.Parse(spec.ProbeSite), EnergyVariant.Of(spec).Official);

    /// <summary>Whether <see cref="Compute"/> also reads the per-module energies.</summary>
    public bool ReadsModules => readsModules;

    public void Dispose() => sft.Dispose();

    /// <summary>ΔE_SFT (B), the greedy answers (B), and when reading modules the energies per answer (B × M), else null.</summary>
    public (float[] Energy, int[][] Answers, float[][]? Modules) Compute(int[][] prompts)
    {
        var result = new SequenceGenerator(sft.Model, site: site).Generate(prompts, GenerationOptions.Greedy(maxNewTokens, codec.EosId) with { PadId = codec.PadId });
        Finite.Require(result.MeanEnergy, "SFT reference energy", "energy reference");
        return (result.MeanEnergy, result.Responses, readsModules ? ModuleEnergies(prompts, result.Responses) : null);
    }

    /// <summary>
    /// (B × M), teacher-forced in groups of equal prompt and answer length: no padding, so an answer's energies do not
    /// depend on which others are read with it (the learner read them over its padded batch: the last bits may differ).
    /// </summary>
    float[][] ModuleEnergies(int[][] prompts, int[][] answers)
    {
        var rows = new float[prompts.Length][];
        foreach (var group in Enumerable.Range(0, prompts.Length).GroupBy(i => (prompts[i].Length, answers[i].Length)))
        {
            var members = group.ToArray();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var batch = SequenceBatch.Build(members.Select(i => prompts[i]).ToArray(), members.Select(i => answers[i]).ToArray(), codec.EosId, codec.PadId);
            var energy = TeacherForcing.Score(sft.Model, batch, site: EnergySite.MlpOutputs, entropy: false).MeanEnergy;  // (G, M)
            var modules = (int)energy.shape[1];
            var values = energy.cpu().data<float>().ToArray();
            for (var j = 0; j < members.Length; j++) rows[members[j]] = values[(j * modules)..((j + 1) * modules)];
        }
        foreach (var row in rows) Finite.Require(row, "SFT module energy", "energy reference");
        return rows;
    }
}
