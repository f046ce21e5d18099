using System.Net;
using System.Net.Sockets;
using Eppo.Core;
using Eppo.Grains.Telemetry;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Metrics;

namespace Eppo.Silo;

/// <summary>The Prometheus scrape endpoint of a silo: the Eppo and Orleans meters at GET /metrics.</summary>
public static class MetricsEndpoint
{
    public const string OrleansMeterName = "Microsoft.Orleans";

    public static void AddEppoMetricsExporter(this IServiceCollection services) =>
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(EppoMetrics.MeterName)
            .AddMeter(OrleansMeterName)
            .AddPrometheusExporter());

    /// <summary>
    /// Fails with a message naming the port when something already listens there; Kestrel's own error comes later,
    /// mid-start, and does not say which flag to change.
    /// </summary>
    public static void RequirePortFree(string metricsUrl)
    {
        BindingAddress address;
        try { address = BindingAddress.Parse(metricsUrl); }
        catch (FormatException) { throw new EppoException($"--metrics-url: '{metricsUrl}' is not a URL like http://127.0.0.1:8080"); }
        if (address.Port == 0) return;

        var ip = address.Host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" => IPAddress.Any,
            _ when IPAddress.TryParse(address.Host, out var parsed) => parsed,
            _ => null, // a host name: Kestrel resolves and reports it
        };
        if (ip is null) return;

        using var probe = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(ip, address.Port));
            probe.Listen(1);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new EppoException($"metrics port {address.Port} on {address.Host} is already in use (--metrics-url)");
        }
    }
}
