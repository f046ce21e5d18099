using Eppo.Grains.Hosting;

namespace Eppo.Grains.Runs;

/// <summary>
/// Whether a failed iteration is tried again: only when the failure is transient (<see cref="TransientFailures.IsRetryableIteration"/>),
/// at most <paramref name="attempts"/> times in a row and within <paramref name="budget"/> of the first failure, with an
/// exponential backoff (0.5 s, 1 s, 2 s, … capped at 10 s). The run grain rolls back before each retry.
/// </summary>
public sealed class IterationRetry(int attempts, TimeSpan budget, TimeProvider time)
{
    DateTimeOffset retryAt, firstFailure;

    public int FailedAttempts { get; private set; }

    public bool Waiting => time.GetUtcNow() < retryAt;

    /// <summary>The delay before the next attempt, or null when the run should fail now.</summary>
    public TimeSpan? After(Exception e)
    {
        var now = time.GetUtcNow();
        if (FailedAttempts == 0) firstFailure = now;
        if (!TransientFailures.IsRetryableIteration(e) || ++FailedAttempts >= attempts || now - firstFailure > budget)
        {
            Reset();
            return null;
        }
        var delay = TimeSpan.FromSeconds(Math.Min(10, 0.5 * Math.Pow(2, FailedAttempts - 1)));
        retryAt = now + delay;
        return delay;
    }

    public void Reset()
    {
        FailedAttempts = 0;
        retryAt = default;
    }
}
