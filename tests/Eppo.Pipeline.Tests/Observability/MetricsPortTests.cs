using System.Net;
using System.Net.Sockets;
using Eppo.Core;
using Eppo.Silo;
using Xunit;

using Eppo.Tests;

namespace Eppo.Pipeline.Tests.Observability;

public class MetricsPortTests
{
    [Fact]
    public void PortInUseIsAClearErrorNamingThePort()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var error = Assert.Throws<EppoException>(() => EppoSiloHost.Build(new SiloSettings { MetricsUrl = $"http://127.0.0.1:{port}" }));
        Assert.Equal($"metrics port {port} on 127.0.0.1 is already in use (--metrics-url)", error.Message);
    }

    [Fact]
    public void LocalhostIsCheckedOnLoopback()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var error = Assert.Throws<EppoException>(() => MetricsEndpoint.RequirePortFree($"http://localhost:{port}"));
        Assert.Contains($"metrics port {port}", error.Message);
    }

    [Fact]
    public void FreePortPasses()
    {
        MetricsEndpoint.RequirePortFree($"http://127.0.0.1:{LoopbackPorts.Free()}");
        MetricsEndpoint.RequirePortFree("http://127.0.0.1:0");
    }

    [Fact]
    public void MalformedUrlIsNamed()
    {
        var error = Assert.Throws<EppoException>(() => MetricsEndpoint.RequirePortFree("127.0.0.1"));
        Assert.Contains("--metrics-url", error.Message);
    }
}
