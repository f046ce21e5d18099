using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Grains.Interfaces;
using Xunit.Abstractions;

namespace Eppo.Cluster.Tests;

/// <summary>SIGKILL of a silo mid-run: the run goes on from its last committed checkpoint and ends bit-identical.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SiloFailureTests(ClusterFixture fixture, ITestOutputHelper output)
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Run_survives_SIGKILL_of_the_silo_hosting_the_run_grain()
    {
        await fixture.ReferenceAsync();
        await using var cluster = new ProcessCluster(fixture, "kill-run-grain");
        await cluster.StartSilosAsync(3);
        var runId = await cluster.StartRunAsync();
        await cluster.WaitAsync(runId, s => s.Iteration >= 4, Long);

        var host = await cluster.HostOfAsync(cluster.Client.GetGrain<IRunGrain>(runId));
        Assert.NotNull(host);
        host.Kill();
        var recovery = await cluster.TimeToMoveAgainAsync(runId, DateTime.UtcNow, TimeSpan.FromSeconds(60));
        output.WriteLine($"run grain's silo {host} SIGKILLed: the run moved again after {recovery.TotalSeconds:F1} s");

        await fixture.AssertMatchesReferenceAsync(await cluster.WaitForEndAsync(runId, Long));
    }

    [Fact]
    public async Task Run_survives_SIGKILL_of_the_silo_hosting_the_learner()
    {
        await fixture.ReferenceAsync();
        await using var cluster = new ProcessCluster(fixture, "kill-learner");
        await cluster.StartSilosAsync(3);
        var runId = await cluster.StartRunAsync();
        // Past a checkpoint, and mid-way between two: the learner holds uncommitted iterations when it dies.
        await cluster.WaitAsync(runId, s => s.Iteration >= 4 && s.Iteration % fixture.Spec.CheckpointInterval != 0, Long);

        var host = await cluster.HostOfAsync(cluster.Client.GetGrain<ILearnerGrain>(runId));
        Assert.NotNull(host);
        host.Kill();
        var recovery = await cluster.TimeToMoveAgainAsync(runId, DateTime.UtcNow, TimeSpan.FromSeconds(60));
        output.WriteLine($"learner's silo {host} SIGKILLed: the run moved again after {recovery.TotalSeconds:F1} s");

        await fixture.AssertMatchesReferenceAsync(await cluster.WaitForEndAsync(runId, Long));
    }
}
