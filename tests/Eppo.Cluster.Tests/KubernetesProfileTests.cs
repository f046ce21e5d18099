using System.Net;
using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Core;
using Eppo.Silo;
using Eppo.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Eppo.Cluster.Tests;

/// <summary>
/// The silo's `--cluster kubernetes` profile, configured as a pod's environment would configure it (no Kubernetes
/// API is reachable here, so the silo is built, not started): its name, address and cluster ids come from the pod,
/// its storage is the azure profile's (Azurite), and a variable the pod spec forgot is one line naming it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class KubernetesProfileTests(ClusterFixture fixture)
{
    static readonly Dictionary<string, string> Pod = new()
    {
        [KubernetesProfile.PodName] = "eppo-silo-5f7c9d-x2kq8", [KubernetesProfile.PodNamespace] = "eppo", [KubernetesProfile.PodIp] = "10.244.1.17",
        [KubernetesProfile.ServiceId] = "eppo-k8s", [KubernetesProfile.ClusterId] = "eppo-k8s-blue",
    };

    [Fact]
    public async Task A_silo_in_a_pod_takes_its_identity_from_the_pod()
    {
        foreach (var (name, value) in Pod) Environment.SetEnvironmentVariable(name, value);
        var data = Directory.CreateTempSubdirectory("eppo-k8s-").FullName;
        try
        {
            await using var app = EppoSiloHost.Build(new SiloSettings
            {
                Cluster = KubernetesProfile.Name, ConnectionString = fixture.ConnectionString, MetricsUrl = null, DataRoot = data,
                SiloPort = LoopbackPorts.Free(), GatewayPort = LoopbackPorts.Free(),
            });
            var cluster = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
            Assert.Equal(("eppo-k8s", "eppo-k8s-blue"), (cluster.ServiceId, cluster.ClusterId));
            var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            Assert.Equal(IPAddress.Parse("10.244.1.17"), endpoints.AdvertisedIPAddress);
            Assert.Equal(IPAddress.Any, endpoints.SiloListeningEndpoint?.Address ?? IPAddress.Any);
            Assert.Equal("eppo-silo-5f7c9d-x2kq8", app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
            // Orleans' pod watcher is part of this silo (it declares silos whose pods are gone dead).
            Assert.NotNull(app.Services.GetService<IOptions<Orleans.Hosting.Kubernetes.KubernetesHostingOptions>>()?.Value);
        }
        finally
        {
            foreach (var name in Pod.Keys) Environment.SetEnvironmentVariable(name, null);
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void A_variable_the_pod_spec_forgot_is_one_line_naming_it()
    {
        var error = Assert.Throws<EppoException>(() => KubernetesProfile.Resolve(new SiloSettings { Cluster = KubernetesProfile.Name },
            name => name == KubernetesProfile.PodIp ? null : Pod[name]));
        Assert.Equal("--cluster kubernetes: environment variable POD_IP is not set (the pod spec sets it from the downward API: deploy/k8s/silo.yaml)", error.Message);
    }
}
