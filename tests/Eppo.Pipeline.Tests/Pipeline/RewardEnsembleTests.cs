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
    readonly string dataRoot = Directory.CreateTempSubdirectory("eppo-ensemble-").FullName;
    InProcessTestCluster cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(EppoStorage.Name);
            silo.UseInMemoryReminderService();
            silo.AddEppoGrains(o => o.DataRoot = dataRoot);
        });
        builder.ConfigureClient(client => client.Services.AddEppoSerialization());
        cluster = builder.Build();
        await cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
        try { Directory.Delete(dataRoot, recursive: true); } catch (IOException) { }
    }

    static RunSpec Tiny(string method) => RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with { Method = method, Iterations = 2, Seed = 19 };

    async Task<RunStatus> RunAsync(RunSpec spec)
    {
        var id = $"{spec.Method}-{Guid.NewGuid():N}"[..20];
        await cluster.Client.GetGrain<IRunGrain>(id).StartAsync(spec.ToJson());
        return await new RunWaiter(cluster.Client).UntilEndedAsync(id, timeout: TimeSpan.FromMinutes(4));
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
        var local = ModelPreparation.Prepare(spec, dataRoot);
        Assert.Equal(local.RewardModels.Select(m => (m.Role, m.HeldOutAccuracy)), status.RewardModels.Select(m => (m.Role, m.HeldOutAccuracy)));
        Assert.Equal(local.RewardPaths, status.RewardPaths);
        if (method != "par")
        {
            // The members (WARM: its ingredients) trained on both silos.
            var silos = cluster.Silos.Select(s => s.SiloAddress.ToString()).ToHashSet();
            var hosts = status.RewardModels.Where(m => m.Role != "warm average").Select(m => m.TrainedOn).ToArray();
            Assert.All(hosts, h => Assert.Contains(h!, silos));
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
