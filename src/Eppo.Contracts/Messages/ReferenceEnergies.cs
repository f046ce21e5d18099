using Orleans;

namespace Eppo.Contracts.Messages;

/// <summary>
/// The SFT reference of a batch: ΔE_SFT (B), the SFT model's greedy answers it was measured on (B), how many prompts
/// came from the cache; for energy_definition "official" the SFT model's energy per final-MLP linear on its answers
/// (M × B), else null; PAR's r_ref per row where the energy reference has it, null where the answer is not scored yet
/// (absent: none is).
/// </summary>
[GenerateSerializer, Immutable, Alias("eppo.ReferenceEnergies")]
public sealed record ReferenceEnergies(float[] Energy, int[][] Answers, int Hits, float[][]? ModuleEnergies = null, float?[]? ReferenceScores = null);
