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
        // A kubernetes cluster keeps its membership in Azure Storage too: clients find its gateways there.
        var storage = settings.Cluster is "azure" or "kubernetes" ? StorageConnection.Resolve(settings.ConnectionString) : null;
        if (storage is not null) await RequireActiveSilosAsync(storage, settings, cancellation);
        var tls = GatewayTls.Load(settings.TlsCertificatePath, settings.TlsCertificatePassword);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddEppoSerialization();
        builder.Services.AddSingleton<IHostLifetime, ClientLifetime>();
        // EPPO_CLIENT_LOG=Information (or Debug) shows Orleans' client log on stderr when a connection misbehaves.
        if (Enum.TryParse<LogLevel>(System.Environment.GetEnvironmentVariable("EPPO_CLIENT_LOG"), ignoreCase: true, out var level))
            builder.Logging.SetMinimumLevel(level).AddSimpleConsole(o => o.SingleLine = true)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
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
            if (tls is not null) client.UseTls(tls.Certificate, tls.Configure);
            // The silo's ServiceIdCheck compares this with its own service id: a mismatch is refused in one line.
            var serviceId = settings.ServiceId;
            client.AddOutgoingGrainCallFilter(call =>
            {
                if (ServiceIdCheck.IsEppoCall(call)) RequestContext.Set(ServiceIdCheck.RequestContextKey, serviceId);
                return call.Invoke();
            });
        });
        var where = storage is null ? $"127.0.0.1:{settings.GatewayPort}" : $"cluster '{settings.ClusterId}' (membership at {storage.Endpoint})";
        // Orleans retries a refused connection until the deadline; nobody listening is worth saying at once.
        if (storage is null && !await IsListeningAsync(settings.GatewayPort, cancellation))
            throw new ClusterUnreachableException(
                $"no cluster answered at {where}: start one with `./eppo silo` (or pass --gateway-port of a running one)");
        var host = builder.Build();
        var start = host.StartAsync(cancellation);
        // A gateway of another cluster id (or one speaking TLS when we do not, or the reverse) accepts the TCP
        // connection and then never admits the client; Orleans keeps waiting. A deadline turns that into one line.
        var finished = await Task.WhenAny(start, Task.Delay(TimeSpan.FromSeconds(settings.ConnectTimeoutSeconds), cancellation));
        if (finished != start)
        {
            cancellation.ThrowIfCancellationRequested();
            _ = start.ContinueWith(_ => host.Dispose(), TaskScheduler.Default);
            throw new ClusterUnreachableException(
                $"the gateway at {where} did not admit this client within {settings.ConnectTimeoutSeconds:0.#} s: " +
                $"check --cluster-id (asked for '{settings.ClusterId}')" +
                (tls is null ? " and whether the cluster uses TLS (--tls-cert)" : " and that the cluster uses TLS with the same certificate"));
        }
        try
        {
            await start;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            host.Dispose();
            throw new ClusterUnreachableException(storage is null
                ? $"no cluster answered at {where} (service '{settings.ServiceId}', cluster '{settings.ClusterId}'): " +
                  "start one with `./eppo silo`, or pass --gateway-port" + Cause(e)
                : $"no silo of cluster '{settings.ClusterId}' (service '{settings.ServiceId}') answered; the membership table at {storage.Endpoint} " +
                  $"({storage.Source}) lists none that is up: start silos with `./eppo silo --cluster azure --cluster-id {settings.ClusterId}`");
        }
        return new ClusterConnection(host);
    }

    static async Task<bool> IsListeningAsync(int port, CancellationToken cancellation)
    {
        using var probe = new System.Net.Sockets.TcpClient();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await probe.ConnectAsync(System.Net.IPAddress.Loopback, port, deadline.Token);
            return true;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException || (e is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>The innermost message when it adds something (a TLS handshake error, a refused connection).</summary>
    static string Cause(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner.Message is { Length: > 0 } m && !m.Contains("Connection refused", StringComparison.OrdinalIgnoreCase) ? $" ({m.TrimEnd('.')})" : "";
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
            throw new EppoException($"{storage.Source}: storage at {storage.Endpoint} rejected the credentials ({((Azure.RequestFailedException)e).Status}) — check the account name and key");
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
