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
        FailureDetection.Apply(settings.FailureDetection, new ClusterMembershipOptions()); // an unknown preset fails here, not mid-start
        if (settings.Cluster == KubernetesProfile.Name) settings = KubernetesProfile.Resolve(settings);
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
        StorageConnection? storage = null;
        if (settings.Cluster is "azure" or KubernetesProfile.Name)
        {
            storage = StorageConnection.Resolve(settings.ConnectionString, builder.Configuration);
            AzureProfile.Probe(settings, storage);
        }
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
                    // Like the grain state they would wake, the reminders of active runs live as long as the cluster.
                    silo.UseInMemoryReminderService();
                    break;
                case KubernetesProfile.Name:
                    AzureProfile.Configure(silo, settings, storage!);
                    silo.UseKubernetesHosting();
                    break;
                case "azure":
                    AzureProfile.Configure(silo, settings, storage!);
                    break;
                default:
                    throw new EppoException($"--cluster: unknown cluster profile '{settings.Cluster}' (expected local, azure or kubernetes)");
            }
            silo.Configure<ClusterMembershipOptions>(o => FailureDetection.Apply(settings.FailureDetection, o));
            silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(FailureDetection.ConfigSection));
            var reminderPeriod = FailureDetection.RunReminderPeriod(settings.FailureDetection);
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(o.MinimumReminderPeriod.Ticks, reminderPeriod.Ticks)));
            silo.AddEppoGrains(o =>
            {
                // Retry knobs from configuration (Eppo:StorageRetryAttempts, …); flags win for the rest.
                builder.Configuration.GetSection(EppoSiloOptions.Section).Bind(o);
                o.DataRoot = settings.DataRoot;
                o.ModelSlots = settings.ModelSlots;
                o.Stages = ModelStages.Parse(settings.Stages);
                o.Device = settings.Device;
                o.TorchThreads = settings.TorchThreads;
                o.ComputeThreads = settings.ComputeThreads;
                o.RunReminderPeriod = reminderPeriod;
            });
        });

        var app = builder.Build();
        app.MapGet("/", () => "eppo silo");
        // Liveness: the process answers. Readiness: the silo is an active member of its cluster.
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/readyz", (ISiloStatusOracle oracle) =>
            oracle.CurrentStatus == SiloStatus.Active ? Results.Text("ready") : Results.Text($"silo is {oracle.CurrentStatus}", statusCode: 503));
        if (settings.MetricsUrl is not null) app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
