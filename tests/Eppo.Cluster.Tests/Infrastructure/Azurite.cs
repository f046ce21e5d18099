using Eppo.Tests;

namespace Eppo.Cluster.Tests.Infrastructure;

/// <summary>
/// Azurite (npm) on free loopback ports with its data in a temporary directory; can be stopped and started again on
/// the same ports and data, to simulate a storage outage.
/// </summary>
internal sealed class Azurite : IAsyncDisposable
{
    const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    readonly string location;
    readonly int blobPort = LoopbackPorts.Free(), queuePort = LoopbackPorts.Free(), tablePort = LoopbackPorts.Free();
    ChildProcess? process;

    public Azurite(string workDirectory)
    {
        location = Path.Combine(workDirectory, "azurite");
        Directory.CreateDirectory(location);
    }

    public string ConnectionString => ConnectionStringWithKey(AccountKey);

    /// <summary>Same endpoints, another key: Azurite rejects its signatures (403).</summary>
    public string ConnectionStringWithKey(string key) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";

    public bool Running => process is { HasExited: false };

    public async Task StartAsync()
    {
        process = ChildProcess.Start(Repo.Azurite,
            ["--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", location,
             "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
             "--blobPort", $"{blobPort}", "--queuePort", $"{queuePort}", "--tablePort", $"{tablePort}"],
            Path.Combine(location, "..", "azurite.log"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!PortsOpen())
        {
            if (process.HasExited) throw new InvalidOperationException($"azurite exited with {process.ExitCode}:\n{process.Tail()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"azurite did not listen within 30 s:\n{process.Tail()}");
            await Task.Delay(100);
        }
    }

    bool PortsOpen() => new[] { blobPort, tablePort }.All(port =>
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    });

    /// <summary>TERM, up to 10 s, then KILL (Azurite sometimes ignores TERM).</summary>
    public async Task StopAsync()
    {
        if (process is null) return;
        await process.TerminateAsync(TimeSpan.FromSeconds(10));
        process.Dispose();
        process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
