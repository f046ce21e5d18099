using System.Net;
using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Core;
using Eppo.Grains.Artifacts;
using Eppo.Grains.AppendLogs;
using Eppo.Silo;
using Eppo.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace Eppo.Cluster.Tests;

/// <summary>
/// The silo's `--cluster kubernetes` profile, configured as a pod's environment would configure it (no Kubernetes
/// API is reachable here, so the silo is built, not started): its name, address and cluster ids come from the pod,
/// its storage is the azure profile's (Azurite), Orleans' pod watcher is wired in, and a variable the pod spec forgot
/// is one line naming it.
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
        // The pod's variables, and no Kubernetes API (as here, even if the tests run inside a pod).
        (string Name, string? Value)[] variables = [.. Pod.Select(p => (p.Key, (string?)p.Value)), ("KUBERNETES_SERVICE_HOST", null), ("KUBERNETES_SERVICE_PORT", null)];
        var before = variables.ToDictionary(v => v.Name, v => Environment.GetEnvironmentVariable(v.Name));
        foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
        var data = Directory.CreateTempSubdirectory("eppo-k8s-").FullName;
        var siloPort = LoopbackPorts.Free();
        try
        {
            await using var app = EppoSiloHost.Build(new SiloSettings
            {
                Cluster = KubernetesProfile.Name, ConnectionString = fixture.ConnectionString, MetricsUrl = null, DataRoot = data,
                SiloPort = siloPort, GatewayPort = LoopbackPorts.Free(),
            });
            var cluster = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
            Assert.Equal(("eppo-k8s", "eppo-k8s-blue"), (cluster.ServiceId, cluster.ClusterId));
            var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            Assert.Equal(IPAddress.Parse("10.244.1.17"), endpoints.AdvertisedIPAddress);
            Assert.Equal(new IPEndPoint(IPAddress.Any, siloPort), endpoints.SiloListeningEndpoint); // other pods reach it
            Assert.Equal("eppo-silo-5f7c9d-x2kq8", app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
            // Shared storage, not the local profile's memory and files: any pod can take over a run.
            Assert.IsType<BlobArtifactStore>(app.Services.GetRequiredService<IArtifactStore>());
            Assert.IsType<BlobAppendLogStore>(app.Services.GetRequiredService<IAppendLogStore>());  // histories and energy caches
            // Orleans' pod watcher is part of this silo (it declares silos whose pods are gone dead): it is built with the
            // silo's lifecycle and, with no Kubernetes API to watch, refuses to start.
            var watcher = Assert.ThrowsAny<Exception>(() => app.Services.GetServices<ILifecycleParticipant<ISiloLifecycle>>().ToList());
            Assert.Contains("KUBERNETES_SERVICE_HOST", watcher.Message);
            Assert.Contains($"{typeof(KubernetesClusterAgent).FullName}..ctor", watcher.StackTrace);
        }
        finally
        {
            foreach (var (name, value) in before) Environment.SetEnvironmentVariable(name, value);
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
