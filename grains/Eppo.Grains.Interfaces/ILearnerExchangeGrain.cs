using Orleans.Concurrency;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// Where a run's data-parallel learner replicas meet for one attempt at one iteration (key: "{run}/{attempt}"): each
/// replica's n-th call is round n; a round answers every replica once all have sent, with the sums added (or the rows
/// concatenated) in replica order. Closing it fails every round still open, so no replica waits for one that is gone.
/// </summary>
[Alias("eppo.ILearnerExchangeGrain")]
public interface ILearnerExchangeGrain : IGrainWithStringKey
{
    [Alias("Exchange"), AlwaysInterleave, ResponseTimeout("00:30:00")]
    Task<float[]> ExchangeAsync(int replica, int replicas, int round, float[] local, bool gather);

    /// <summary>Fails the open rounds with <paramref name="reason"/> (null: the attempt is over); returns how many values the replicas sent.</summary>
    [Alias("Close"), AlwaysInterleave] Task<long> CloseAsync(string? reason);
}
