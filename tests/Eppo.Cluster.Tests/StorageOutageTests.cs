using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Contracts;
using Xunit.Abstractions;

namespace Eppo.Cluster.Tests;

/// <summary>Azure Storage away mid-run: the run stalls (retrying), then completes, identical to an undisturbed run.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StorageOutageTests(ClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Storage_outage_stalls_the_run_and_it_completes_after()
    {
        await fixture.ReferenceAsync();
        await using var cluster = new ProcessCluster(fixture, "outage");
        await cluster.StartSilosAsync(2);
        var runId = await cluster.StartRunAsync();
        await cluster.WaitAsync(runId, s => s.Iteration >= 3, TimeSpan.FromSeconds(150));

        var stopping = DateTime.UtcNow;
        await fixture.Azurite.StopAsync();
        var stopped = DateTime.UtcNow;
        output.WriteLine($"azurite stopped in {(stopped - stopping).TotalSeconds:F1} s");
        await Task.Delay(TimeSpan.FromSeconds(6)); // many storage calls fail and are retried meanwhile
        var during = await cluster.WaitAsync(runId, _ => true, TimeSpan.FromSeconds(20));
        output.WriteLine($"after {(DateTime.UtcNow - stopped).TotalSeconds:F0} s without storage: {during.State} at iteration {during.Iteration}, stage '{during.Stage}', reason '{during.Reason}'");
        Assert.True(during.State is RunState.Running, $"run is {during.State} during the outage: {during.Reason}");
        Assert.True(during.Iteration < fixture.Spec.Iterations, "the run completed without storage");

        await fixture.Azurite.StartAsync();
        var back = DateTime.UtcNow;
        var recovery = await cluster.TimeToMoveAgainAsync(runId, back, TimeSpan.FromSeconds(120));
        output.WriteLine($"storage back after {(back - stopped).TotalSeconds:F0} s; the run moved again {recovery.TotalSeconds:F1} s later");

        await fixture.AssertMatchesReferenceAsync(await cluster.WaitForEndAsync(runId, TimeSpan.FromSeconds(150)));
    }
}
