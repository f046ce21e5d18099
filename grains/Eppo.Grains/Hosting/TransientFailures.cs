using System.Net.Http;
using System.Net.Sockets;
using Azure;
using Eppo.Core;
using Eppo.Grains.Interfaces;
using Orleans.Storage;

namespace Eppo.Grains.Hosting;

/// <summary>Which failures are worth another try: storage or a silo that is briefly away, not a bad request or a bug.</summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception e) => e switch
    {
        EppoException or EppoRequestException or InconsistentStateException => false,
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500 || (r.InnerException is { } inner && IsTransient(inner)),
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsTransient),
        SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException => true,
        TimeoutException or HttpRequestException or SocketException or IOException => true,
        // The SDK reports its own network timeouts as cancellations.
        OperationCanceledException => true,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };

    /// <summary>A failure the user must fix (bad spec, corrupt checkpoint, rejected credentials): retrying cannot help.</summary>
    public static bool IsUserError(Exception e) => e switch
    {
        EppoException or EppoRequestException => true,
        AggregateException { InnerExceptions.Count: 1 } a => IsUserError(a.InnerExceptions[0]),
        _ => false,
    };
}
