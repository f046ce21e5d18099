using Eppo.Contracts.Messages;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// The SFT model's energy loss on its own greedy response, per prompt (key: run id), with that response, the official
/// variant's per-module energies on it and PAR's score of it. Greedy decoding makes them functions of the prompt, so
/// they are cached (and persisted, in an append log of the run) instead of recomputed every step as the official code does.
/// </summary>
[Alias("eppo.IEnergyReferenceGrain")]
public interface IEnergyReferenceGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<ReferenceEnergies> GetAsync(RunContext run, string[] promptIds, int[][] promptTokens);
    /// <summary>PAR: the reward source's combined scores of the prompts' cached SFT answers, kept beside them.</summary>
    [Alias("PutReferenceScores")] Task PutReferenceScoresAsync(string[] promptIds, float[] scores);
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
