using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Eppo.Silo;

/// <summary>
/// Refuses calls from a client that expects another service id. Orleans' gateway checks the cluster id but not the
/// service id, so without this a client configured for service B would silently work on service A's runs.
/// </summary>
public sealed class ServiceIdCheck(IOptions<ClusterOptions> cluster) : IIncomingGrainCallFilter
{
    /// <summary>The request-context key the eppo client sets on every call.</summary>
    public const string RequestContextKey = "eppo.service-id";

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var serviceId = cluster.Value.ServiceId;
        if (IsEppoCall(context) && RequestContext.Get(RequestContextKey) is string expected && expected != serviceId)
            throw new EppoRequestException(
                $"the cluster at this gateway is service '{serviceId}', not '{expected}': pass --service-id {serviceId}");
        return context.Invoke();
    }

    /// <summary>Only our grains' calls: Orleans' own (the client's start-up handshake among them) pass untouched.</summary>
    public static bool IsEppoCall(IGrainCallContext context) =>
        context.InterfaceMethod?.DeclaringType?.Namespace?.StartsWith("Eppo.", StringComparison.Ordinal) == true;
}
