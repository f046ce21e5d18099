using System.Net.Http;
using System.Net.Sockets;
using Azure;
using Eppo.Grains.Interfaces;
using Orleans.Storage;

namespace Eppo.Grains.Hosting;

/// <summary>
/// Which failures are worth another try: storage or a silo that is briefly away. Everything else — a user error, an
/// overflow, a NaN, a shape error from libtorch, a missing file, a bug — is deterministic: the same input fails the
/// same way, so it is never retried.
/// </summary>
public static class TransientFailures
{
    /// <summary>Worth retrying the call itself (Polly, per call).</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        EppoException or EppoRequestException or InconsistentStateException or StageStateLostException => false,
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500 || (r.InnerException is { } inner && IsTransient(inner)),
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsTransient),
        SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException => true,
        // The runtime's own failures (forwarding to a dead activation, a lost connection) pass when the cluster settles.
        OrleansConfigurationException => false,
        OrleansException => true,
        // A missing file stays missing.
        FileNotFoundException or DirectoryNotFoundException => false,
        TimeoutException or HttpRequestException or SocketException or IOException => true,
        // The SDK reports its own network timeouts as cancellations.
        OperationCanceledException => true,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };

    /// <summary>
    /// Worth replaying the iteration from the last checkpoint (the run grain, per iteration): the transient failures,
    /// and a stage grain that lost its state under a silo's death.
    /// </summary>
    public static bool IsRetryableIteration(Exception e) => e switch
    {
        StageStateLostException => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsRetryableIteration),
        _ => IsTransient(e) || (e is not (EppoException or EppoRequestException) && e.InnerException is { } inner && IsRetryableIteration(inner)),
    };
}
