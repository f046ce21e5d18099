using Eppo.Grains.Interfaces;
using Eppo.Silo;
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
        var storage = settings.Cluster == "azure" ? StorageConnection.Resolve(settings.ConnectionString) : null;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddEppoSerialization();
        builder.UseOrleansClient(client =>
        {
            if (storage is null)
            {
                client.UseLocalhostClustering(settings.GatewayPort, settings.ServiceId, settings.ClusterId);
            }
            else
            {
                // Gateways come from the membership table, so a client finds silos that joined after it started.
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = settings.ClusterId;
                    o.ServiceId = settings.ServiceId;
                });
                client.UseAzureStorageClustering(o => o.TableServiceClient = storage.TableService());
            }
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
            throw new ClusterUnreachableException(storage is null
                ? $"no cluster answered at 127.0.0.1:{settings.GatewayPort} (service '{settings.ServiceId}', cluster '{settings.ClusterId}'): " +
                  "start one with `./eppo silo`, or pass --gateway-port"
                : $"no silo of cluster '{settings.ClusterId}' (service '{settings.ServiceId}') answered; the membership table at {storage.Endpoint} " +
                  $"({storage.Source}) lists none that is up: start silos with `./eppo silo --cluster azure --cluster-id {settings.ClusterId}`");
        }
        return new ClusterConnection(host);
    }

    public async ValueTask DisposeAsync()
    {
        try { await _host.StopAsync(TimeSpan.FromSeconds(5)); } catch (OperationCanceledException) { }
        _host.Dispose();
    }
}
