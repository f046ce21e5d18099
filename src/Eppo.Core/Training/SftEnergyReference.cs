using Eppo.Core.Tasks;
using Eppo.Core.Generation;
using Eppo.Core.Model;

namespace Eppo.Core.Training;

/// <summary>
/// ΔE_SFT(x): the SFT model's final-layer energy loss on its own greedy response to x, and that response (PAR's
/// reference answer). Greedy decoding makes both a function of x alone, which is what lets the pipeline cache them per prompt.
/// </summary>
public sealed class SftEnergyReference(DecoderModel sft, TaskCodec codec, int maxNewTokens) : IDisposable
{
    public void Dispose() => sft.Dispose();

    public (float[] Energy, int[][] Answers) Compute(int[][] prompts)
    {
        var result = new SequenceGenerator(sft).Generate(prompts, GenerationOptions.Greedy(maxNewTokens, codec.EosId) with { PadId = codec.PadId });
        Ppo.Finite.Require(result.MeanEnergy, "SFT reference energy", "energy reference");
        return (result.MeanEnergy, result.Responses);
    }
}
