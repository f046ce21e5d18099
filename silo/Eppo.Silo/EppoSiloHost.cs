using System.Net;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Orleans.Configuration;

namespace Eppo.Silo;

/// <summary>Builds a silo on ASP.NET Core: Orleans, the Eppo grains and (when configured) the Prometheus endpoint.</summary>
public static class EppoSiloHost
{
    public static WebApplication Build(SiloSettings settings, string[]? args = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args ?? [] });
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Warning);
        if (settings.MetricsUrl is { } url)
        {
            MetricsEndpoint.RequirePortFree(url);
            builder.WebHost.UseUrls(url);
            builder.Services.AddEppoMetricsExporter();
        }
        else builder.WebHost.UseUrls("http://127.0.0.1:0");

        builder.Services.AddEppoSerialization();
        var tls = GatewayTls.Load(settings.TlsCertificate ?? builder.Configuration[GatewayTls.CertificateKey],
            settings.TlsPassword ?? builder.Configuration[GatewayTls.PasswordKey]);
        builder.UseOrleans(silo =>
        {
            if (tls is not null) silo.UseTls(tls.Certificate, tls.Configure);
            silo.AddIncomingGrainCallFilter<ServiceIdCheck>();
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            switch (settings.Cluster)
            {
                case "local":
                    silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort,
                        new IPEndPoint(IPAddress.Loopback, settings.PrimarySiloPort), settings.ServiceId, settings.ClusterId);
                    silo.AddMemoryGrainStorage(EppoStorage.Name);
                    break;
                default:
                    throw new Core.EppoException($"--cluster: unknown cluster profile '{settings.Cluster}' (expected local or azure)");
            }
            silo.AddEppoGrains(o =>
            {
                o.DataRoot = settings.DataRoot;
                o.ModelSlots = settings.ModelSlots;
                o.TorchThreads = settings.TorchThreads;
            });
        });

        var app = builder.Build();
        app.MapGet("/", () => "eppo silo");
        if (settings.MetricsUrl is not null) app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
