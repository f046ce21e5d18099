namespace Eppo.Grains.Interfaces;

/// <summary>
/// The SFT model's energy loss on its own greedy response, per prompt (key: run id). Greedy decoding makes it a
/// function of the prompt, so it is cached (and persisted) instead of regenerated every step as the official code does.
/// </summary>
[Alias("eppo.IEnergyReferenceGrain")]
public interface IEnergyReferenceGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<EnergyReference> GetAsync(RunContext run, string[] promptIds, int[][] promptTokens);
    [Alias("Stats")] Task<EnergyCacheStats> GetStatsAsync();
    /// <summary>Deactivates when idle, freeing the SFT model; the cache itself is persisted.</summary>
    [Alias("Retire")] Task RetireAsync();
}

[GenerateSerializer, Immutable, Alias("eppo.EnergyCacheStats")]
public sealed record EnergyCacheStats
{
    [Id(0)] public long Hits { get; init; }
    [Id(1)] public long Misses { get; init; }
    [Id(2)] public int Entries { get; init; }
}
