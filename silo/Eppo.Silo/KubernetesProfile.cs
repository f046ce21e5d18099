using Eppo.Core;

namespace Eppo.Silo;

/// <summary>
/// The kubernetes profile: the azure profile's storage and membership, with the silo's identity from the pod
/// (Microsoft.Orleans.Hosting.Kubernetes): its name, IP, namespace and the orleans/serviceId and orleans/clusterId
/// labels arrive as environment variables (deploy/k8s/silo.yaml sets them from the downward API), and silos whose
/// pods are gone are declared dead early. A missing variable is one line naming it.
/// </summary>
public static class KubernetesProfile
{
    public const string Name = "kubernetes";
    public const string PodName = "POD_NAME", PodNamespace = "POD_NAMESPACE", PodIp = "POD_IP",
        ServiceId = "ORLEANS_SERVICE_ID", ClusterId = "ORLEANS_CLUSTER_ID";

    /// <summary>The settings with the pod's address and the cluster's ids in place of the flags'.</summary>
    public static SiloSettings Resolve(SiloSettings settings, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string Required(string variable) => environment(variable) is { Length: > 0 } value
            ? value
            : throw new EppoException($"--cluster kubernetes: environment variable {variable} is not set (the pod spec sets it from the downward API: deploy/k8s/silo.yaml)");
        _ = Required(PodName);
        _ = Required(PodNamespace);
        return settings with { AdvertisedAddress = Required(PodIp), ServiceId = Required(ServiceId), ClusterId = Required(ClusterId) };
    }
}
