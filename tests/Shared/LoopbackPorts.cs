using System.Net;
using System.Net.Sockets;

namespace Eppo.Tests;

/// <summary>
/// Free TCP ports on 127.0.0.1 for servers the tests start. Taken below Linux's ephemeral range (32768–60999): a port
/// the kernel hands out for "port 0" can be grabbed as the source port of some outgoing connection before the server
/// binds it ("already in use" seen in CI). Never the same port twice in one test process.
/// </summary>
internal static class LoopbackPorts
{
    static readonly HashSet<int> Given = [];
    static readonly Random Pick = new();

    public static int Free()
    {
        lock (Given)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Pick.Next(20000, 32000);
                if (Given.Contains(port)) continue;
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                }
                catch (SocketException)
                {
                    continue;
                }
                Given.Add(port);
                return port;
            }
            throw new InvalidOperationException("no free loopback port in 20000–32000");
        }
    }
}
