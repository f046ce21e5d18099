using Eppo.Tests;
using Xunit;

namespace Eppo.Pipeline.Tests.Observability;

/// <summary>
/// A real Prometheus scrapes the silo on loopback: the energy-loss series arrive with the values the run recorded,
/// the shipped alert rule sees the raised hacking alarm, and every dashboard query is PromQL Prometheus accepts.
/// </summary>
[Collection(MetricsSiloCollection.Name)]
public class PrometheusIntegrationTests(MetricsSiloFixture silo)
{
    [Fact]
    public async Task PrometheusScrapesTheEnergyLossOfARun()
    {
        var run = silo.Run;
        await using var prometheus = PrometheusServer.Start(silo.MetricsPort, RepoRoot.Path("deploy", "prometheus", "alerts.yml"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var selector = $"run=\"{run.RunId}\"";

        var total = await prometheus.WaitForAsync($"eppo_energy_loss_rl_bucket{{{selector},le=\"+Inf\"}}", deadline);
        var series = Assert.Single(total);
        Assert.Equal(run.AllEnergyRl.Length, series.Value);
        Assert.Equal(run.Method, series.Labels["method"]);
        Assert.Equal("eppo-silo", series.Labels["job"]);
        Assert.Equal($"127.0.0.1:{silo.MetricsPort}", series.Labels["instance"]);

        var mean = Assert.Single((await prometheus.QueryAsync($"eppo_energy_loss_rl_mean{{{selector}}}"))!);
        Assert.Equal(run.Last.EnergyRl, mean.Value, 9);
        var sft = Assert.Single((await prometheus.QueryAsync($"eppo_energy_loss_sft{{{selector}}}"))!);
        Assert.Equal(run.Last.EnergySft, sft.Value, 9);
        Assert.True(mean.Value > sft.Value, "the sample run drifts above its SFT reference");

        // The median of all 24 response energies falls in the histogram's (−0.75, −0.5] bucket.
        var median = Assert.Single((await prometheus.QueryAsync($"histogram_quantile(0.5, eppo_energy_loss_rl_bucket{{{selector}}})"))!);
        Assert.True(double.IsFinite(median.Value) && median.Value > -0.75 && median.Value <= -0.5, $"median {median.Value}");

        // The shipped rule evaluates the scraped alarm: pending (it must hold 1 minute before firing).
        var alert = Assert.Single(await prometheus.WaitForAsync(
            $"ALERTS{{alertname=\"EppoRewardHackingSuspected\",{selector}}}", deadline));
        Assert.Equal("pending", alert.Labels["alertstate"]);
        Assert.Empty((await prometheus.QueryAsync($"ALERTS{{alertname=\"EppoRunFailed\",{selector}}}"))!);

        // Every dashboard query parses and runs; every metric it names is one Prometheus stored.
        var stored = await prometheus.MetricNamesAsync();
        var dashboard = ExposedNames.DashboardExpressions(File.ReadAllText(RepoRoot.Path("deploy", "grafana", "dashboards", "eppo-training.json")));
        foreach (var expression in dashboard)
        {
            var concrete = expression.Replace("$run", run.RunId).Replace("$method", run.Method);
            Assert.NotNull(await prometheus.QueryAsync(concrete));
            Assert.All(ExposedNames.MetricNames(concrete).Where(n => n != "ALERTS"), name => Assert.Contains(name, stored));
        }
        var band = await prometheus.QueryAsync(
            $"max (eppo_energy_loss_sft{{{selector}}}) + 2 * max (eppo_energy_loss_sft_std{{{selector}}})");
        Assert.True(Assert.Single(band!).Value > sft.Value);
    }
}
