using Eppo.Tests;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Runs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>
/// Waiting on a run: the run grain pushes its status at every change (small: no history tail) to the one waiter,
/// which follows the run across the grain's re-activation, times out, and refuses an unknown run in one line. An
/// active run holds its reminder; a paused or ended one holds none.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class RunWatchTests(PipelineCluster fixture)
{
    /// <summary>One seed for all: the collection's cluster trains its models once.</summary>
    static RunSpec Tiny => RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with { Seed = 7 };

    async Task<IRunGrain> StartAsync(RunSpec spec, string name)
    {
        var run = fixture.Client.GetGrain<IRunGrain>(name + "-" + Guid.NewGuid().ToString("N")[..8]);
        await run.StartAsync(spec.ToJson());
        return run;
    }

    [Fact]
    public async Task EveryIterationIsPushedWithoutTheHistoryAndTheEndReadsTheFullStatus()
    {
        var spec = Tiny with { Iterations = 4 };
        var run = await StartAsync(spec, "pushed");
        var seen = new List<RunStatus>();
        // One renewal, at the start: whatever is seen after it was pushed.
        var waiter = new RunWaiter(fixture.Client) { Renewal = TimeSpan.FromSeconds(59) };
        var final = await waiter.UntilEndedAsync(run.GetPrimaryKeyString(), seen.Add, timeout: TimeSpan.FromSeconds(300));

        Assert.True(final.State == RunState.Completed, final.Reason);
        Assert.Equal(spec.Iterations, final.History.Count);
        Assert.All(seen, s => Assert.Empty(s.History));
        Assert.Equal(Enumerable.Range(0, spec.Iterations), seen.Where(s => s.Latest is not null).Select(s => s.Latest!.Iteration).Distinct());
        Assert.Contains(seen, s => s.Stage == "learn");
        Assert.Equal(RunState.Completed, seen[^1].State);
    }

    [Fact]
    public async Task AWaiterFollowsTheRunAcrossItsGrainsReactivation()
    {
        var spec = Tiny with { Iterations = 6 };
        var run = await StartAsync(spec, "moved");
        var runId = run.GetPrimaryKeyString();
        await fixture.WaitAsync(runId, s => s.Iteration >= 2, timeoutSeconds: 300);
        await run.PauseAsync();
        Assert.Equal(RunState.Paused, (await fixture.WaitAsync(runId)).State);

        var watching = new TaskCompletionSource();
        var ended = new RunWaiter(fixture.Client) { Renewal = TimeSpan.FromSeconds(1) }
            .UntilEndedAsync(runId, _ => watching.TrySetResult(), timeout: TimeSpan.FromSeconds(120));
        await watching.Task;                                            // the first activation has the watch
        await run.Cast<IGrainManagementExtension>().DeactivateOnIdle(); // its watchers go with it
        await run.ResumeAsync();                                        // a new activation, which knows no watcher
        var status = await ended;
        Assert.True(status.State == RunState.Completed, status.Reason);
        Assert.Equal(spec.Iterations, status.Iteration);
    }

    [Fact]
    public async Task SeveralRunsAreWaitedOnAtOnceAndTheFirstToEndBadlyStopsTheWait()
    {
        var (a, b) = (await StartAsync(Tiny with { Iterations = 2 }, "both-a"), await StartAsync(Tiny with { Iterations = 3 }, "both-b"));
        var ids = new[] { a.GetPrimaryKeyString(), b.GetPrimaryKeyString() };
        var ended = new List<string>();
        var shown = new HashSet<string>();
        var final = await new RunWaiter(fixture.Client).UntilAllEndedAsync(ids, s => shown.Add(s.RunId), s => ended.Add(s.RunId));
        Assert.Equal(ids.Order(), ended.Order());
        Assert.Equal(ids.Order(), shown.Order());
        Assert.All(final.Values, s => Assert.True(s.State == RunState.Completed, s.Reason));
        Assert.Equal([2, 3], ids.Select(id => final[id].History.Count));

        var (slow, stopped) = (await StartAsync(Tiny with { Iterations = 400 }, "slow"), await StartAsync(Tiny with { Iterations = 400 }, "stopped"));
        await stopped.StopAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var error = await Assert.ThrowsAsync<EppoException>(() => new RunWaiter(fixture.Client).UntilAllEndedAsync(
            [slow.GetPrimaryKeyString(), stopped.GetPrimaryKeyString()],
            ended: s => throw new EppoException($"{s.RunId} ended {s.State}"), cancellation: limit.Token));
        Assert.Equal($"{stopped.GetPrimaryKeyString()} ended Stopped", error.Message);
        await slow.StopAsync();
    }

    [Fact]
    public async Task WaitingOnARunThatDoesNotExistSaysSoInOneLine()
    {
        var error = await Assert.ThrowsAsync<EppoException>(() =>
            new RunWaiter(fixture.Client).UntilEndedAsync("nothing-" + Guid.NewGuid().ToString("N")[..8], timeout: TimeSpan.FromSeconds(30)));
        Assert.Contains("no such run", error.Message);
    }

    [Fact]
    public async Task AnActiveRunHoldsAReminderAPausedOrEndedOneNone()
    {
        var spec = Tiny with { Iterations = 6 };
        var run = await StartAsync(spec, "reminded");
        var runId = run.GetPrimaryKeyString();
        await RemindersAreAsync(run, RunReminder.Name);
        await fixture.WaitAsync(runId, s => s.Iteration >= 1, timeoutSeconds: 300);
        await run.PauseAsync();
        Assert.Equal(RunState.Paused, (await fixture.WaitAsync(runId)).State);
        await RemindersAreAsync(run);   // a paused run stays paused: nothing wakes it

        await run.ResumeAsync();
        await RemindersAreAsync(run, RunReminder.Name);
        Assert.Equal(RunState.Completed, (await fixture.WaitAsync(runId)).State);
        await RemindersAreAsync(run);
    }

    /// <summary>Until the run's reminders are <paramref name="expected"/> (the grain reports a state change before it updates its reminder).</summary>
    async Task RemindersAreAsync(IRunGrain run, params string[] expected)
    {
        var table = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services.GetRequiredService<IReminderTable>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string[] names;
        while (!(names = (await table.ReadRows(run.GetGrainId())).Reminders.Select(r => r.ReminderName).ToArray()).SequenceEqual(expected))
        {
            Assert.True(DateTime.UtcNow < deadline, $"reminders [{string.Join(", ", names)}], expected [{string.Join(", ", expected)}]");
            await Task.Delay(50);
        }
    }
}
