using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Eppo.Silo;
using Xunit.Abstractions;

namespace Eppo.Cluster.Tests;

/// <summary>The whole cluster goes away and comes back: a paused run stays paused and resumes; a running run resumes by itself.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterRestartTests(ClusterFixture fixture, ITestOutputHelper output)
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Paused_and_running_runs_resume_after_the_whole_cluster_restarts()
    {
        await fixture.ReferenceAsync();
        await using var cluster = new ProcessCluster(fixture, "restart");
        await cluster.StartSilosAsync(2);
        var runId = await cluster.StartRunAsync();
        var run = cluster.Client.GetGrain<IRunGrain>(runId);
        await cluster.WaitAsync(runId, s => s.Iteration >= 2, Long);
        await run.PauseAsync();
        var paused = await cluster.WaitAsync(runId, s => s.State == RunState.Paused, Long);

        // Graceful stop of every silo, then a new set under the same cluster id.
        await cluster.DisconnectAsync();
        foreach (var silo in cluster.Silos.ToList()) Assert.True(await silo.TerminateAsync(), $"{silo} ignored SIGTERM");
        await cluster.StartSilosAsync(2);
        run = cluster.Client.GetGrain<IRunGrain>(runId);
        var afterRestart = await cluster.WaitAsync(runId, _ => true, Long);
        Assert.Equal(RunState.Paused, afterRestart.State);
        Assert.Equal(paused.Iteration, afterRestart.Iteration);
        Assert.Equal(paused.LastCheckpoint, afterRestart.LastCheckpoint);

        await run.ResumeAsync();
        await cluster.WaitAsync(runId, s => s.Iteration >= paused.Iteration + 4, Long);

        // SIGKILL of every silo while running; a new cluster id (the dead silos' rows stay in the table).
        await cluster.DisconnectAsync();
        foreach (var silo in cluster.Silos.ToList()) silo.Kill();
        var killed = DateTime.UtcNow;
        await cluster.RenameClusterAsync();
        await cluster.StartSilosAsync(2);
        // Nobody calls the run: its reminder must activate it, within a period of the silos coming up.
        var wait = FailureDetection.RunReminderPeriod("fast") + TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + wait;
        while (await cluster.HostOfAsync(cluster.Client.GetGrain<IRunGrain>(runId)) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no silo re-activated the running run within {wait.TotalSeconds:F0} s of the new silos coming up\n{cluster.Logs()}");
            await Task.Delay(200);
        }
        output.WriteLine($"running run re-activated {(DateTime.UtcNow - killed).TotalSeconds:F1} s after every silo was killed (incl. starting new silos)");

        await fixture.AssertMatchesReferenceAsync(await cluster.WaitForEndAsync(runId, Long));
    }
}
