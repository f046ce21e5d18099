using Eppo.Core.Model;

namespace Eppo.Cli.Bench;

/// <summary>
/// Analytic FLOP counts for the PPO step (the usual 2·N / 6·N rule: a weight used once per token costs one
/// multiply-add forward, two backward). N counts weights that multiply activations: the attention and MLP projections
/// and the head. The embedding table is a lookup and norm weights are elementwise, so neither counts; attention's
/// score and mix products (QKᵀ, AV; about 4·T·C per token per layer) are left out too, which makes the count a
/// slight underestimate of the work done.
/// </summary>
public static class TrainingFlops
{
    /// <summary>Weights in matrix products per token for a model with this config and head.</summary>
    public static long MatmulParameters(ModelConfig config, HeadKind kind)
    {
        long c = config.HiddenSize, kv = (long)config.KvHeads * config.HeadDim, i = config.IntermediateSize;
        var attention = c * c + 2 * c * kv + c * c;                              // q, k, v, o
        var mlp = (config.Family == ModelFamily.Llama ? 3 : 2) * c * i;          // gate, up, down | c_fc, c_proj
        var head = kind == HeadKind.LanguageModel ? c * config.VocabSize : c;   // LM head (tied or not) | value/score
        return config.Layers * (attention + mlp) + head;
    }

    /// <summary>
    /// One <see cref="Core.Learning.PpoLearner.Learn(Eppo.Contracts.Messages.LearnerBatch)"/> call over <paramref name="tokens"/> = B·(prompt + response) positions:
    /// no-grad forwards of actor (old log-probs), reference (KL) and critic (old values): 2·(Na + Na + Nc)·tokens;
    /// then per PPO epoch a training forward + backward of actor and critic: 6·(Na + Nc)·tokens.
    /// </summary>
    public static double PpoStep(long actorParameters, long criticParameters, long tokens, int ppoEpochs) =>
        2.0 * (2 * actorParameters + criticParameters) * tokens
        + ppoEpochs * 6.0 * (actorParameters + criticParameters) * tokens;

    /// <summary>An m×k by k×n matrix product: m·n·k multiply-adds.</summary>
    public static double Matmul(long m, long k, long n) => 2.0 * m * k * n;
}
