using Eppo.Cli;
using Eppo.Contracts;

namespace Eppo.Console.Tests;

/// <summary>The live view's chart kept from pushed statuses: appended in order, cut back on a roll-back, a gap seen as one.</summary>
public sealed class RecentIterationsTests
{
    static IterationMetrics Metrics(int i, string? checkpoint = null) => new() { Iteration = i, EnergyRl = 0.01 * i, Checkpoint = checkpoint };

    static RunStatus Pushed(int iteration) => new()
    {
        RunId = "r", State = RunState.Running, Iteration = iteration, Latest = iteration > 0 ? Metrics(iteration - 1) : null,
    };

    static int[] Iterations(RunStatus s) => s.History.Select(m => m.Iteration).ToArray();

    [Fact]
    public void Pushed_iterations_are_appended_and_a_repeat_replaces_its_own()
    {
        var recent = new RecentIterations([Metrics(0), Metrics(1)]);
        Assert.Equal([0, 1, 2], Iterations(recent.With(Pushed(3))));
        Assert.Equal([0, 1, 2], Iterations(recent.With(Pushed(3))));
        var named = Pushed(3) with { Latest = Metrics(2, "ckpt-3") };
        Assert.Equal("ckpt-3", recent.With(named).History[^1].Checkpoint);
    }

    [Fact]
    public void A_roll_back_to_a_checkpoint_drops_the_iterations_after_it()
    {
        var recent = new RecentIterations([.. Enumerable.Range(0, 6).Select(i => Metrics(i))]);
        Assert.Equal([0, 1, 2, 3], Iterations(recent.With(Pushed(4))));
    }

    [Fact]
    public void A_status_past_unseen_iterations_is_a_gap_and_is_not_charted()
    {
        var recent = new RecentIterations([Metrics(0), Metrics(1)]);
        Assert.False(recent.Misses(Pushed(3)));
        Assert.True(recent.Misses(Pushed(5)));
        Assert.Equal([0, 1], Iterations(recent.With(Pushed(5))));
        Assert.True(recent.Misses(Pushed(5)));
        Assert.True(new RecentIterations([]).Misses(Pushed(2)));
        Assert.False(new RecentIterations([]).Misses(Pushed(1)));
    }

    [Fact]
    public void Only_as_many_as_the_chart_shows_are_kept()
    {
        var recent = new RecentIterations([.. Enumerable.Range(0, 100).Select(i => Metrics(i))]);
        var status = recent.With(Pushed(101));
        Assert.Equal(RecentIterations.Size, status.History.Count);
        Assert.Equal(100, status.History[^1].Iteration);
    }
}
