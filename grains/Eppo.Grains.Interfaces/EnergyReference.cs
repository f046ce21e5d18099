namespace Eppo.Grains.Interfaces;

/// <summary>ΔE_SFT per prompt, the SFT answer it was measured on (PAR scores it), and how many came from the cache.</summary>
[GenerateSerializer, Immutable, Alias("eppo.EnergyReference")]
public sealed record EnergyReference
{
    [Id(0)] public required float[] Energy { get; init; }
    [Id(1)] public int Hits { get; init; }
    [Id(2)] public int[][] Answers { get; init; } = [];
}
