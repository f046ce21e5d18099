namespace Eppo.Grains.Interfaces;

/// <summary>Hosts one member of a run's reward source — a reward model, or the gold judge — (key: "{runId}/r{member}/{chunk}"); scores (prompt, response) batches.</summary>
[Alias("eppo.IRewardScorerGrain")]
public interface IRewardScorerGrain : IGrainWithStringKey
{
    [Alias("Score")] Task<float[]> ScoreAsync(RunContext run, int member, int[][] promptTokens, int[][] responseTokens);
    /// <summary>Deactivates when idle, freeing the model (the run has ended).</summary>
    [Alias("Retire")] Task RetireAsync();
    /// <summary>
    /// Moves when idle to where placement puts it now (Orleans grain migration), e.g. onto a silo that joined. Not a
    /// plain deactivation: a caller whose directory cache still names the old silo would re-create it right there.
    /// </summary>
    [Alias("Move")] Task MoveAsync();
}
