using System.Net;
using System.Net.Sockets;

namespace Eppo.Cluster.Tests.Infrastructure;

/// <summary>Free TCP ports on 127.0.0.1, asked of the kernel (port 0) so parallel test runs do not collide.</summary>
internal static class LoopbackPorts
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
