namespace Eppo.Grains.Stages;

/// <summary>
/// The energy reference grain's persisted state: counters only, the same size however many prompts are cached (the
/// entries are in the run's append log, <see cref="EnergyReferenceLog"/>).
/// </summary>
[GenerateSerializer, Alias("eppo.EnergyCacheState")]
public sealed class EnergyCacheState
{
    [Id(1)] public long Hits { get; set; }
    [Id(2)] public long Misses { get; set; }

    /// <summary>ΔE_SFT per prompt as state written before the log held it; moved into the log on activation, then empty.</summary>
    [Id(0)] public Dictionary<string, float> Values { get; set; } = [];

    /// <summary>The SFT answer per prompt, as state written before the log held it (absent in even older state); moved likewise.</summary>
    [Id(3)] public Dictionary<string, int[]> Answers { get; set; } = [];
}
