using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Grains.Interfaces;
using Xunit.Abstractions;

namespace Eppo.Cluster.Tests;

/// <summary>Silos join and leave gracefully during a run: generators spread onto the newcomer; a leaver hands back its work.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ElasticityTests(ClusterFixture fixture, ITestOutputHelper output)
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(150);

    [ElasticityFact]
    public async Task Scale_out_then_in_during_a_run_keeps_every_iteration()
    {
        await fixture.ReferenceAsync();
        await using var cluster = new ProcessCluster(fixture, "elastic");
        await cluster.StartSilosAsync(2);
        var runId = await cluster.StartRunAsync();
        await cluster.WaitAsync(runId, s => s.Iteration >= 3, Long);

        // Scale out. The run is paused while the silo starts only so that a slow start cannot outlast the short test
        // run; the re-placement itself happens between iterations of the running run, as in production.
        var run = cluster.Client.GetGrain<IRunGrain>(runId);
        await run.PauseAsync();
        await cluster.WaitAsync(runId, s => s.State == Core.Runs.RunState.Paused, Long);
        var newcomer = await cluster.StartSiloAsync();
        await run.ResumeAsync();
        // The run re-places its generators and scorers; with 3 generators on 3 silos one lands on the new one.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var workers = Enumerable.Range(0, fixture.Spec.Generators).Select(c => (IAddressable)cluster.Client.GetGrain<IRolloutGeneratorGrain>($"{runId}/{c}"))
            .Concat(Enumerable.Range(0, fixture.Spec.Scorers).Select(c => (IAddressable)cluster.Client.GetGrain<IRewardScorerGrain>($"{runId}/{c}")))
            .ToList();
        while (true)
        {
            var hosts = await Task.WhenAll(workers.Select(cluster.HostOfAsync));
            if (hosts.Contains(newcomer)) break;
            Assert.True(DateTime.UtcNow < deadline, $"no generator or scorer moved to {newcomer} within 60 s; hosts: {string.Join(", ", hosts.Select(h => h?.Name ?? "-"))}\n{cluster.Logs()}");
            await Task.Delay(200);
        }
        var status = await cluster.WaitAsync(runId, _ => true, Long);
        Assert.True(status.Iteration < fixture.Spec.Iterations, "the run finished before the scale-in: make the test spec longer");

        // Scale in: the silo hosting the run grain leaves gracefully; the run continues elsewhere.
        var leaver = await cluster.HostOfAsync(cluster.Client.GetGrain<IRunGrain>(runId)) ?? cluster.Silos[0];
        var left = DateTime.UtcNow;
        Assert.True(await leaver.TerminateAsync(), $"{leaver} did not shut down within 45 s after SIGTERM");
        Assert.Equal(0, leaver.Process.ExitCode);
        output.WriteLine($"{leaver} left gracefully in {(DateTime.UtcNow - left).TotalSeconds:F1} s");
        var recovery = await cluster.TimeToMoveAgainAsync(runId, left, TimeSpan.FromSeconds(60));
        output.WriteLine($"after the graceful leave the run moved again after {recovery.TotalSeconds:F1} s");

        await fixture.AssertMatchesReferenceAsync(await cluster.WaitForEndAsync(runId, Long));

        // The CLI finds the remaining silos through the membership table.
        var (code, text) = await cluster.CliAsync("run", "status", runId, "--json");
        Assert.True(code == 0, $"eppo run status exited {code}: {text}");
        Assert.Contains($"\"run_id\": \"{runId}\"", text);
    }
}
