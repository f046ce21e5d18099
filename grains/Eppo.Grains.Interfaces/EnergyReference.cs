namespace Eppo.Grains.Interfaces;

/// <summary>ΔE_SFT per prompt, and how many came from the cache.</summary>
[GenerateSerializer, Immutable, Alias("eppo.EnergyReference")]
public sealed record EnergyReference
{
    [Id(0)] public required float[] Energy { get; init; }
    [Id(1)] public int Hits { get; init; }
}
