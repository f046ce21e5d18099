using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Grains.Interfaces;
using Xunit.Abstractions;

namespace Eppo.Cluster.Tests;

/// <summary>Silos join and leave gracefully during a run: generators spread onto the newcomer; a leaver hands back its work.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ElasticityTests(ClusterFixture fixture, ITestOutputHelper output)
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Scale_out_then_in_during_a_run_keeps_every_iteration()
    {
        // Longer than the shared spec: scale-out and scale-in both have to happen while the run is still going.
        var spec = fixture.Spec with { Iterations = 45 };
        await fixture.ReferenceAsync(spec);
        await using var cluster = new ProcessCluster(fixture, "elastic");
        await cluster.StartSilosAsync(2);
        var runId = await cluster.StartRunAsync(spec);
        await cluster.WaitAsync(runId, s => s.Iteration >= 3, Long);

        // Scale out. The run is paused while the silo starts only so that a slow start cannot outlast the run; the
        // re-placement itself happens between iterations of the running run, as in production.
        var run = cluster.Client.GetGrain<IRunGrain>(runId);
        await run.PauseAsync();
        await cluster.WaitAsync(runId, s => s.State == Contracts.RunState.Paused, Long);
        var newcomer = await cluster.StartSiloAsync();
        await run.ResumeAsync();
        // The run re-places its generators; with 3 generators on 3 silos one lands on the new one. Where they ran is
        // what the rollouts themselves report (status.generator_hosts), not a directory lookup that may be cached.
        var moved = await cluster.WaitAsync(runId, s => s.GeneratorHosts.Any(newcomer.Is) || s.State != Contracts.RunState.Running, Long);
        Assert.True(moved.GeneratorHosts.Any(newcomer.Is),
            $"no generator moved to {newcomer}: run {moved.State} at iteration {moved.Iteration}, generators on {string.Join(", ", moved.GeneratorHosts)}, model hosts seen {string.Join(", ", moved.ModelHosts)}\n{cluster.Logs()}");
        output.WriteLine($"a generator moved to {newcomer} by iteration {moved.Iteration}");
        var status = await cluster.WaitAsync(runId, _ => true, Long);
        Assert.True(status.Iteration < spec.Iterations, "the run finished before the scale-in: make the test spec longer");

        // Scale in: the silo hosting the run grain leaves gracefully; the run continues elsewhere.
        var leaver = await cluster.HostOfAsync(cluster.Client.GetGrain<IRunGrain>(runId)) ?? cluster.Silos[0];
        var left = DateTime.UtcNow;
        Assert.True(await leaver.TerminateAsync(), $"{leaver} did not shut down within 45 s after SIGTERM");
        Assert.Equal(0, leaver.Process.ExitCode);
        output.WriteLine($"{leaver} left gracefully in {(DateTime.UtcNow - left).TotalSeconds:F1} s");
        var recovery = await cluster.TimeToMoveAgainAsync(runId, left, TimeSpan.FromSeconds(60));
        output.WriteLine($"after the graceful leave the run moved again after {recovery.TotalSeconds:F1} s");

        await fixture.AssertMatchesReferenceAsync(await cluster.WaitForEndAsync(runId, Long), spec);

        // The CLI finds the remaining silos through the membership table.
        var (code, text) = await cluster.CliAsync("run", "status", runId, "--json");
        Assert.True(code == 0, $"eppo run status exited {code}: {text}");
        Assert.Contains($"\"run_id\": \"{runId}\"", text);
    }
}
