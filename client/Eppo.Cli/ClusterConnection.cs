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
        if (storage is not null) await RequireActiveSilosAsync(storage, settings, cancellation);
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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
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

    /// <summary>
    /// The Orleans client waits for gateways indefinitely when the table lists none; a look at the table first turns
    /// "no silo up" into an immediate, clear error.
    /// </summary>
    static async Task RequireActiveSilosAsync(StorageConnection storage, ClusterSettings settings, CancellationToken cancellation)
    {
        int active;
        try
        {
            active = await MembershipTable.ActiveSilosAsync(storage, settings.ClusterId, cancellation);
        }
        catch (Exception e) when (e is Azure.RequestFailedException { Status: 401 or 403 })
        {
            throw new Core.EppoException($"{storage.Source}: storage at {storage.Endpoint} rejected the credentials ({((Azure.RequestFailedException)e).Status}) — check the account name and key");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            throw new StorageUnavailableException($"storage at {storage.Endpoint} ({storage.Source}) did not answer: {e.GetBaseException().Message}");
        }
        if (active == 0)
            throw new ClusterUnreachableException(
                $"no silo of cluster '{settings.ClusterId}' is up: the membership table at {storage.Endpoint} ({storage.Source}) lists none as active; " +
                $"start silos with `./eppo silo --cluster azure --cluster-id {settings.ClusterId}`");
    }

    public async ValueTask DisposeAsync()
    {
        try { await _host.StopAsync(TimeSpan.FromSeconds(5)); } catch (OperationCanceledException) { }
        _host.Dispose();
    }
}
