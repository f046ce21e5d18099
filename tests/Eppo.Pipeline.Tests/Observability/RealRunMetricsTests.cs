using Eppo.Tests;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;

namespace Eppo.Pipeline.Tests.Observability;

/// <summary>A short real run through the silo's grains; Debian's Prometheus scrapes its energy loss from /metrics.</summary>
[Collection(MetricsSiloCollection.Name)]
public class RealRunMetricsTests(MetricsSiloFixture silo)
{
    [Fact]
    public async Task PrometheusSeesTheEnergyLossOfARealRun()
    {
        var spec = RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json"));
        var runId = $"obs-real-{Guid.NewGuid():N}"[..20];
        await silo.Grains.GetGrain<IRunGrain>(runId).StartAsync(spec.ToJson());
        // The waiter inside the silo's process: the embedded demo's way.
        var status = await new RunWaiter(silo.Grains).UntilEndedAsync(runId, timeout: TimeSpan.FromSeconds(120));
        Assert.True(status.State == RunState.Completed, status.Reason);

        await using var prometheus = PrometheusServer.Start(silo.MetricsPort, RepoRoot.Path("deploy", "prometheus", "alerts.yml"));
        var scrapeDeadline = DateTime.UtcNow.AddSeconds(30);
        var selector = $"run=\"{runId}\"";
        var responses = Assert.Single(await prometheus.WaitForAsync($"eppo_energy_loss_rl_bucket{{{selector},le=\"+Inf\"}}", scrapeDeadline));
        Assert.Equal(spec.Iterations * spec.BatchSize, responses.Value);
        Assert.Equal("eppo", responses.Labels["method"]);

        var mean = Assert.Single((await prometheus.QueryAsync($"eppo_energy_loss_rl_mean{{{selector}}}"))!);
        Assert.Equal(status.Latest!.EnergyRl, mean.Value, 6);
        Assert.True(double.IsFinite(mean.Value) && Math.Abs(mean.Value) < 10, $"energy loss {mean.Value}");
        var iteration = Assert.Single((await prometheus.QueryAsync($"eppo_iteration{{{selector}}}"))!);
        Assert.Equal(spec.Iterations - 1, iteration.Value);
        var completed = Assert.Single((await prometheus.QueryAsync($"eppo_run_state{{{selector},state=\"completed\"}}"))!);
        Assert.Equal(1, completed.Value);
    }
}
