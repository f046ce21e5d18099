using Eppo.Tests;
using Eppo.Contracts;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Orleans.TestingHost;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>
/// The reward-side methods on a two-silo cluster: an ensemble's members train on their own trainer grains spread over
/// both silos, score through their own scorer grains, and the run learns exactly what the in-process driver learns.
/// </summary>
public sealed class RewardEnsembleTests : IAsyncLifetime
{
    TestSilos silos = null!;

    public async Task InitializeAsync() => silos = await TestSilos.StartAsync(2, "ensemble");

    public async Task DisposeAsync() => await silos.DisposeAsync();

    static RunSpec Tiny(string method) => RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with { Method = method, Iterations = 2, Seed = 19 };

    async Task<RunStatus> RunAsync(RunSpec spec)
    {
        var id = $"{spec.Method}-{Guid.NewGuid():N}"[..20];
        await silos.Cluster.Client.GetGrain<IRunGrain>(id).StartAsync(spec.ToJson());
        return await new RunWaiter(silos.Cluster.Client).UntilEndedAsync(id, timeout: TimeSpan.FromMinutes(4));
    }

    [Theory]
    [InlineData("erm-uwo")]
    [InlineData("warm")]
    [InlineData("par")]
    public async Task RunsThroughTheClusterLearnAsInProcess(string method)
    {
        var spec = Tiny(method);
        var status = await RunAsync(spec);
        Assert.True(status.State == RunState.Completed, status.Reason);
        var local = ModelPreparation.Prepare(spec, silos.DataRoot);
        Assert.Equal(local.RewardModels.Select(m => (m.Role, m.HeldOutAccuracy)), status.RewardModels.Select(m => (m.Role, m.HeldOutAccuracy)));
        Assert.Equal(local.RewardPaths, status.RewardPaths);
        if (method != "par")
        {
            // The members (WARM: its ingredients) trained on both silos.
            var addresses = silos.Cluster.Silos.Select(s => s.SiloAddress.ToString()).ToHashSet();
            var hosts = status.RewardModels.Where(m => m.Role != "warm average").Select(m => m.TrainedOn).ToArray();
            Assert.All(hosts, h => Assert.Contains(h!, addresses));
            Assert.Equal(2, hosts.Distinct().Count());
        }
        using var pipeline = new LocalPipeline(spec, local);
        for (var i = 0; i < spec.Iterations; i++)
        {
            var expected = pipeline.RunIteration(i);
            var actual = status.History[i];
            Assert.Equal((expected.ProxyReward, expected.ShapedReward, expected.EnergyRl, expected.PolicyLoss, expected.Kl),
                (actual.ProxyReward, actual.ShapedReward, actual.EnergyRl, actual.PolicyLoss, actual.Kl));
        }
    }
}
