using Eppo.Grains.Telemetry;
using Eppo.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

using Eppo.Tests;

namespace Eppo.Pipeline.Tests.Observability;

/// <summary>
/// One real silo host (Orleans on ASP.NET Core, /metrics on a free loopback port) with a sample run recorded.
/// Shared by the observability tests; the collection runs alone because OpenTelemetry listens to every Meter
/// named "Eppo" in the process, and other tests' silos would add their series to this scrape.
/// </summary>
public sealed class MetricsSiloFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private string? _dataRoot;

    public int MetricsPort { get; } = LoopbackPorts.Free();
    public string MetricsUrl => $"http://127.0.0.1:{MetricsPort}";
    internal RecordedRun Run { get; private set; } = null!;
    public IGrainFactory Grains => _app!.Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync()
    {
        _dataRoot = Directory.CreateTempSubdirectory("eppo-obs-").FullName;
        var siloPort = LoopbackPorts.Free();
        _app = EppoSiloHost.Build(new SiloSettings
        {
            ClusterId = $"obs-{Guid.NewGuid():N}",
            SiloPort = siloPort,
            PrimarySiloPort = siloPort,
            GatewayPort = LoopbackPorts.Free(),
            MetricsUrl = MetricsUrl,
            DataRoot = _dataRoot,
        });
        await _app.StartAsync();
        // One grain call, so Orleans' per-grain-type meter (orleans_grains) has something to report.
        await _app.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetHosts();
        var metrics = _app.Services.GetRequiredService<EppoMetrics>();
        Run = SampleRun.RecordThroughMetrics(metrics, $"obs-run-{Guid.NewGuid():N}"[..20]);
    }

    /// <summary>GET /metrics as Prometheus asks for it (OpenMetrics) or as plain text format 0.0.4.</summary>
    public async Task<string> ScrapeAsync(bool openMetrics)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{MetricsUrl}/metrics");
        request.Headers.TryAddWithoutValidation("Accept", openMetrics
            ? "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
            : "text/plain;version=0.0.4");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_dataRoot is not null) Directory.Delete(_dataRoot, recursive: true);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsSiloCollection : ICollectionFixture<MetricsSiloFixture>
{
    public const string Name = "silo-metrics";
}
