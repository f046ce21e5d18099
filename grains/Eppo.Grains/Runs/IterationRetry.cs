using Eppo.Grains.Hosting;

namespace Eppo.Grains.Runs;

/// <summary>
/// Whether a failed iteration is tried again: not for a user error, and at most <paramref name="attempts"/> times in a
/// row, with an exponential backoff (0.5 s, 1 s, 2 s, … capped at 10 s). The run grain rolls back before each retry.
/// </summary>
public sealed class IterationRetry(int attempts)
{
    DateTime retryAt;

    public int FailedAttempts { get; private set; }

    public bool Waiting => DateTime.UtcNow < retryAt;

    /// <summary>The delay before the next attempt, or null when the run should fail now.</summary>
    public TimeSpan? After(Exception e)
    {
        if (TransientFailures.IsUserError(e) || ++FailedAttempts >= attempts)
        {
            Reset();
            return null;
        }
        var delay = TimeSpan.FromSeconds(Math.Min(10, 0.5 * Math.Pow(2, FailedAttempts - 1)));
        retryAt = DateTime.UtcNow + delay;
        return delay;
    }

    public void Reset()
    {
        FailedAttempts = 0;
        retryAt = default;
    }
}
