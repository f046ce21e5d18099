namespace Eppo.Grains.Interfaces;

/// <summary>Hosts a reward model, or the gold judge (key: "{runId}/{index}"); scores (prompt, response) batches.</summary>
[Alias("eppo.IRewardScorerGrain")]
public interface IRewardScorerGrain : IGrainWithStringKey
{
    [Alias("Score")] Task<float[]> ScoreAsync(RunContext run, int[][] promptTokens, int[][] responseTokens);
    /// <summary>Deactivates when idle, so the next call places it afresh (new silos get a share after membership changed).</summary>
    [Alias("Retire")] Task RetireAsync();
}
