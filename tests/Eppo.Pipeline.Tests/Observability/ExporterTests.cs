using Eppo.Tests;
using Xunit;

namespace Eppo.Pipeline.Tests.Observability;

/// <summary>What a silo's /metrics really serves after a run recorded metrics, and that our deploy files ask only for that.</summary>
[Collection(MetricsSiloCollection.Name)]
public class ExporterTests(MetricsSiloFixture silo)
{
    private static readonly HashSet<string> AllowedEppoLabels = ["otel_scope_name", "run", "method", "stage", "state", "le"];

    [Fact]
    public async Task HealthAndReadinessAreServedBesideTheMetrics()
    {
        // What the container's HEALTHCHECK and Kubernetes' liveness and readiness probes ask (deploy/k8s/silo.yaml).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var health = await http.GetAsync($"{silo.MetricsUrl}/healthz");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        using var ready = await http.GetAsync($"{silo.MetricsUrl}/readyz");
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DashboardQueriesNameOnlyExportedMetrics()
    {
        // Prometheus negotiates OpenMetrics, where the exporter leaves out _sum/_count of histograms with negative
        // buckets (eppo_energy_loss_rl): check against what Prometheus gets.
        var exported = ExposedNames.Names(await silo.ScrapeAsync(openMetrics: true));
        var dashboard = ExposedNames.DashboardExpressions(File.ReadAllText(RepoRoot.Path("deploy", "grafana", "dashboards", "eppo-training.json")));
        Assert.True(dashboard.Count >= 30, $"only {dashboard.Count} dashboard expressions found");
        var named = dashboard.SelectMany(ExposedNames.MetricNames).ToHashSet();
        Assert.Superset(new HashSet<string> { "eppo_energy_loss_rl_bucket", "eppo_energy_loss_sft_std", "orleans_grains", "orleans_catalog_activations", "up" }, named);
        AssertNamesExported(dashboard, exported);
    }

    [Fact]
    public async Task AlertRulesNameOnlyExportedMetrics()
    {
        var exported = ExposedNames.Names(await silo.ScrapeAsync(openMetrics: true));
        var rules = ExposedNames.RuleExpressions(File.ReadAllText(RepoRoot.Path("deploy", "prometheus", "alerts.yml")));
        Assert.Equal(3, rules.Count);
        AssertNamesExported(rules, exported);
    }

    [Fact]
    public async Task PlainTextScrapeHasTheSameEppoMetrics()
    {
        var openMetrics = ExposedNames.Names(await silo.ScrapeAsync(openMetrics: true)).Where(n => n.StartsWith("eppo_"));
        var text = ExposedNames.Names(await silo.ScrapeAsync(openMetrics: false));
        Assert.Empty(openMetrics.Where(n => !n.EndsWith("_created")).Except(text));
    }

    [Fact]
    public async Task ScrapeCarriesTheRunsValues()
    {
        var run = silo.Run;
        var samples = ExposedNames.Samples(await silo.ScrapeAsync(openMetrics: true))
            .Where(s => s.Labels.GetValueOrDefault("run") == run.RunId).ToList();
        double Value(string name, params (string Key, string Value)[] extra) => samples
            .Single(s => s.Name == name && extra.All(e => s.Labels.GetValueOrDefault(e.Key) == e.Value)).Number;

        Assert.All(samples, s => Assert.Equal(run.Method, s.Labels["method"]));
        Assert.Equal(run.AllEnergyRl.Length, Value("eppo_energy_loss_rl_bucket", ("le", "+Inf")));
        Assert.Equal(run.AllEnergyRl.Count(e => e <= -0.5), Value("eppo_energy_loss_rl_bucket", ("le", "-0.5")));
        Assert.Equal(run.Last.EnergyRl, Value("eppo_energy_loss_rl_mean"), 12);
        Assert.Equal(run.Last.EnergySft, Value("eppo_energy_loss_sft"), 12);
        Assert.Equal(run.Last.EnergyPenalty, Value("eppo_energy_loss_penalty"), 12);
        Assert.Equal(run.Last.HackingAlarmShare, Value("eppo_hacking_alarm_share"), 12);
        Assert.Equal(1, Value("eppo_hacking_alarm"));
        Assert.Equal(run.Last.GoldReward!.Value, Value("eppo_reward_gold"), 12);
        Assert.Equal(SampleRun.Iterations, Value("eppo_iteration"));
        Assert.Equal(run.Last.EnergyReferenceSeconds, Value("eppo_stage_seconds", ("stage", "energy_reference")), 12);
        Assert.Equal(1, Value("eppo_run_state", ("state", "running")));
        Assert.Equal(0, Value("eppo_run_state", ("state", "failed")));
        Assert.Equal(8, samples.Count(s => s.Name == "eppo_run_state"));
    }

    [Fact]
    public async Task EppoSeriesCarryOnlyBoundedLabels()
    {
        var eppo = ExposedNames.Samples(await silo.ScrapeAsync(openMetrics: true)).Where(s => s.Name.StartsWith("eppo_")).ToList();
        Assert.NotEmpty(eppo);
        Assert.All(eppo, s => Assert.Empty(s.Labels.Keys.Except(AllowedEppoLabels)));
    }

    private static void AssertNamesExported(IEnumerable<string> expressions, ISet<string> exported)
    {
        var missing = expressions
            .SelectMany(e => ExposedNames.MetricNames(e).Select(name => (name, e)))
            .Where(x => !exported.Contains(x.name) && !ExposedNames.PrometheusOwn.Contains(x.name))
            .Select(x => $"{x.name} (in: {x.e})")
            .Distinct()
            .ToList();
        Assert.True(missing.Count == 0, "not exported by the silo:\n" + string.Join('\n', missing));
    }
}
