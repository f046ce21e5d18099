namespace Eppo.Grains.Interfaces;

/// <summary>A generator's responses with the policy's per-token log-probs and its energy loss ΔE_RL per probed module.</summary>
[GenerateSerializer, Immutable, Alias("eppo.Rollout")]
public sealed record Rollout
{
    [Id(0)] public required string[] PromptIds { get; init; }
    [Id(1)] public required int[][] PromptTokens { get; init; }
    [Id(2)] public required int[][] ResponseTokens { get; init; }
    [Id(3)] public required float[][] LogProbs { get; init; }
    /// <summary>(B, M): masked mean over response tokens, per probed module (M = 3 for mlp_linears, else 1).</summary>
    [Id(4)] public required float[][] Energy { get; init; }
    [Id(5)] public int PolicyVersion { get; init; }
    [Id(6)] public double Seconds { get; init; }
}
