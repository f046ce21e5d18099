namespace Eppo.Core.Evaluation;

/// <summary>
/// How policies are sampled for evaluation. Every policy is sampled with the SAME noise: prompts go in fixed batches
/// of <see cref="BatchSize"/> in order, and batch b draws from a generator seeded with Seeds.Combine(SamplingSeed, b),
/// so two evaluations with equal options are paired sample by sample. MaxNewTokens also bounds the SFT's greedy
/// reference answers; use the run's max_new_tokens so ΔE_SFT matches what training used.
/// </summary>
public sealed record EvaluationOptions(
    int MaxNewTokens = 12,
    long SamplingSeed = 20_250_131,
    double Temperature = 1.0,
    int TopK = 0,
    double TopP = 1.0,
    int BatchSize = 64)
{
    public static EvaluationOptions Default { get; } = new();

    public EvaluationOptions Validate()
    {
        if (MaxNewTokens <= 0) throw new EppoException($"evaluation: MaxNewTokens must be positive, got {MaxNewTokens}");
        if (!(Temperature > 0)) throw new EppoException($"evaluation: Temperature must be positive, got {Temperature}");
        if (TopK < 0) throw new EppoException($"evaluation: TopK must be 0 (off) or positive, got {TopK}");
        if (!(TopP > 0 && TopP <= 1)) throw new EppoException($"evaluation: TopP must be in (0, 1], got {TopP}");
        if (BatchSize <= 0) throw new EppoException($"evaluation: BatchSize must be positive, got {BatchSize}");
        return this;
    }
}
