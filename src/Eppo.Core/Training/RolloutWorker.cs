using Eppo.Core.Tasks;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Checkpoints;
using Eppo.Contracts;

namespace Eppo.Core.Training;

/// <summary>A policy copy that samples responses with log-probs and energy; takes new weights as safetensors bytes.</summary>
public sealed class RolloutWorker(DecoderModel policy, TaskCodec codec, RunSpec spec) : IDisposable
{
    public void Dispose() => policy.Dispose();

    public int Version { get; private set; }

    public void LoadWeights(byte[] weights, int version)
    {
        ModelWeights.Load(policy, weights, $"policy version {version}");
        Version = version;
    }

    public GenerationResult Generate(int[][] prompts, long seed)
    {
        var options = GenerationOptions.Sampling(spec.MaxNewTokens, codec.EosId, seed, spec.Temperature, spec.TopK, spec.TopP) with { PadId = codec.PadId };
        var result = new SequenceGenerator(policy).Generate(prompts, options);
        Ppo.Finite.Require(result.MeanEnergy, "policy energy", "generate");
        return result;
    }
}
