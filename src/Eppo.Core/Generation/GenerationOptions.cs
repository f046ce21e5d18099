namespace Eppo.Core.Generation;

/// <summary>
/// How to decode. DoSample false = greedy (argmax). Sampling applies Temperature, then TopK (0 = off), then TopP
/// (1 = off, nucleus), and draws with a torch.Generator seeded by Seed, so a seed fixes the output.
/// EosId &lt; 0 means no end token (every row runs MaxNewTokens). UseKvCache false recomputes the whole sequence
/// each step (for tests and benchmarks; same results).
/// </summary>
public sealed record GenerationOptions(
    int MaxNewTokens,
    int EosId,
    bool DoSample = false,
    double Temperature = 1.0,
    int TopK = 0,
    double TopP = 1.0,
    long Seed = 0,
    bool UseKvCache = true,
    int PadId = 0)
{
    public static GenerationOptions Greedy(int maxNewTokens, int eosId) => new(maxNewTokens, eosId);

    public static GenerationOptions Sampling(int maxNewTokens, int eosId, long seed, double temperature = 1.0, int topK = 0, double topP = 1.0) =>
        new(maxNewTokens, eosId, DoSample: true, temperature, topK, topP, seed);

    public GenerationOptions Validate()
    {
        if (MaxNewTokens <= 0) throw new EppoException($"Generation: MaxNewTokens must be positive, got {MaxNewTokens}.");
        if (DoSample && !(Temperature > 0)) throw new EppoException($"Generation: Temperature must be positive when sampling, got {Temperature}.");
        if (TopK < 0) throw new EppoException($"Generation: TopK must be 0 (off) or positive, got {TopK}.");
        if (!(TopP > 0 && TopP <= 1)) throw new EppoException($"Generation: TopP must be in (0, 1], got {TopP}.");
        if (PadId < 0) throw new EppoException($"Generation: PadId must be a token id (>= 0), got {PadId}.");
        return this;
    }
}
