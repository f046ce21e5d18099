namespace Eppo.Grains.Runs;

/// <summary>The keys of a run's stage grains: generators and scorers per chunk, scorers per reward member too.</summary>
public static class StageKeys
{
    public static string Shard(string runId, int shard) => $"{runId}/{shard}";
    public static string Generator(string runId, int chunk) => $"{runId}/{chunk}";
    public static string Scorer(string runId, int member, int chunk) => $"{runId}/r{member}/{chunk}";
}
