namespace Eppo.Grains.Interfaces;

/// <summary>
/// ΔE_SFT per prompt, the SFT answer it was measured on, and how many came from the cache; for energy_definition
/// "official" the SFT model's energy per final-MLP linear on that answer (M × B); PAR's score of the answer where
/// it is cached (null where not scored yet).
/// </summary>
[GenerateSerializer, Immutable, Alias("eppo.EnergyReference")]
public sealed record EnergyReference
{
    [Id(0)] public required float[] Energy { get; init; }
    [Id(1)] public int Hits { get; init; }
    [Id(2)] public int[][] Answers { get; init; } = [];
    [Id(3)] public float[][]? ModuleEnergies { get; init; }
    [Id(4)] public float?[] ReferenceScores { get; init; } = [];
}
