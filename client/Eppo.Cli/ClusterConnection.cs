using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Eppo.Cli;

/// <summary>An Orleans client connected to the cluster named by the settings; disposing disconnects.</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    readonly IHost _host;
    public IClusterClient Client { get; }

    ClusterConnection(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    public static async Task<ClusterConnection> ConnectAsync(ClusterSettings settings, CancellationToken cancellation = default)
    {
        if (settings.Cluster != "local")
            throw new Core.EppoException($"--cluster {settings.Cluster}: not available in this build yet; use --cluster local");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddEppoSerialization();
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(settings.GatewayPort, settings.ServiceId, settings.ClusterId);
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new ClusterUnreachableException(
                $"no cluster answered at 127.0.0.1:{settings.GatewayPort} (service '{settings.ServiceId}', cluster '{settings.ClusterId}'): " +
                "start one with `./eppo silo`, or pass --gateway-port");
        }
        return new ClusterConnection(host);
    }

    public async ValueTask DisposeAsync()
    {
        try { await _host.StopAsync(TimeSpan.FromSeconds(5)); } catch (OperationCanceledException) { }
        _host.Dispose();
    }
}
