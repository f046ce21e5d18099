using Eppo.Core.Tasks;
using Eppo.Core.Generation;
using Eppo.Core.Model;

namespace Eppo.Core.Training;

/// <summary>
/// ΔE_SFT(x): the SFT model's final-layer energy loss on its own greedy response to x, and that response (PAR's
/// reference answer). Greedy decoding makes both a function of x alone, which is what lets the pipeline cache them per prompt.
/// The SFT model is a lease on the process's frozen copy (with adapters, the base they adapt: the adapters off);
/// the energy is read at <paramref name="site"/>.
/// </summary>
public sealed class SftEnergyReference(FrozenModel sft, TaskCodec codec, int maxNewTokens, EnergySite site) : IDisposable
{
    /// <summary>The reference a run's spec asks for over the SFT model at <paramref name="sftPath"/>.</summary>
    public static SftEnergyReference For(string sftPath, TaskCodec codec, Contracts.RunSpec spec) =>
        new(FrozenModels.Acquire(sftPath, WeightDtypes.Of(spec)), codec, spec.MaxNewTokens, EnergySites.Parse(spec.ProbeSite));

    public void Dispose() => sft.Dispose();

    public (float[] Energy, int[][] Answers) Compute(int[][] prompts)
    {
        var result = new SequenceGenerator(sft.Model, site: site).Generate(prompts, GenerationOptions.Greedy(maxNewTokens, codec.EosId) with { PadId = codec.PadId });
        Ppo.Finite.Require(result.MeanEnergy, "SFT reference energy", "energy reference");
        return (result.MeanEnergy, result.Responses);
    }
}
