using Eppo.Grains.Runs;

namespace Eppo.Cluster.Tests;

/// <summary>The run grain's retry budget: attempts in a row and wall time since the first failure, backoff doubling to 10 s.</summary>
public sealed class IterationRetryTests
{
    sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.Parse("2026-12-01T00:00:00Z");
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Transient_failures_back_off_and_stop_after_the_attempts()
    {
        var clock = new Clock();
        var retry = new IterationRetry(attempts: 4, budget: TimeSpan.FromHours(1), clock);
        Assert.Equal(TimeSpan.FromSeconds(0.5), retry.After(new TimeoutException()));
        Assert.True(retry.Waiting);
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.False(retry.Waiting);
        Assert.Equal(TimeSpan.FromSeconds(1), retry.After(new TimeoutException()));
        Assert.Equal(TimeSpan.FromSeconds(2), retry.After(new TimeoutException()));
        Assert.Equal(3, retry.FailedAttempts);
        Assert.Null(retry.After(new TimeoutException()));   // the 4th failure in a row: give up
        Assert.Equal(0, retry.FailedAttempts);
    }

    [Fact]
    public void The_wall_time_budget_ends_retrying_whatever_the_attempts_left()
    {
        var clock = new Clock();
        var retry = new IterationRetry(attempts: 100, budget: TimeSpan.FromMinutes(5), clock);
        Assert.NotNull(retry.After(new TimeoutException()));
        clock.Now += TimeSpan.FromMinutes(4);
        Assert.NotNull(retry.After(new TimeoutException()));
        clock.Now += TimeSpan.FromMinutes(2);
        Assert.Null(retry.After(new TimeoutException()));
    }

    [Fact]
    public void A_deterministic_failure_is_never_retried()
    {
        var retry = new IterationRetry(attempts: 30, budget: TimeSpan.FromHours(1), new Clock());
        Assert.Null(retry.After(new OverflowException()));
        Assert.Null(retry.After(new EppoException("NaN")));
        Assert.Equal(0, retry.FailedAttempts);
    }

    [Fact]
    public void Backoff_is_capped_at_ten_seconds()
    {
        var retry = new IterationRetry(attempts: 100, budget: TimeSpan.FromHours(1), new Clock());
        var delays = Enumerable.Range(0, 8).Select(_ => retry.After(new TimeoutException())!.Value.TotalSeconds).ToArray();
        Assert.Equal([0.5, 1, 2, 4, 8, 10, 10, 10], delays);
    }
}
