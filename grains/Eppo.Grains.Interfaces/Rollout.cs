namespace Eppo.Grains.Interfaces;

/// <summary>A generator's responses with the policy's energy loss ΔE_RL (masked mean over the response).</summary>
[GenerateSerializer, Immutable, Alias("eppo.Rollout")]
public sealed record Rollout
{
    [Id(0)] public required int[][] ResponseTokens { get; init; }
    [Id(2)] public required float[] Energy { get; init; }
    /// <summary>The silo that generated it (Orleans' silo identity), so status can show where a run's generators are.</summary>
    [Id(5)] public string Host { get; init; } = "";
}
