namespace Eppo.Core.Iteration;

/// <summary>
/// One prompt's SFT reference, as the energy reference caches it: ΔE_SFT, the SFT model's greedy answer it was
/// measured on, the SFT model's output energy per final-MLP linear on that answer (energy_definition "official" only;
/// M values), and PAR's r_ref, the reward source's combined score of that answer (once the driver has scored it).
/// All are functions of the prompt (greedy decoding) and of the run's reward source.
/// </summary>
public sealed record ReferenceEntry(float Energy, int[] Answer, float[]? ModuleEnergies = null, float? ReferenceScore = null);
