using Eppo.Contracts;
using Eppo.Core.Checkpoints;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Eppo.Tests;
using Orleans.TestingHost;
using static TorchSharp.torch;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>
/// <c>learners: 2</c> on a two-silo cluster: one replica per silo, and after 10 iterations the same policy and critic as
/// one learner within 1e-5 (fp32, same seed), fully fine-tuned and with LoRA.
/// </summary>
public sealed class DataParallelRunTests : IAsyncLifetime
{
    TestSilos silos = null!;

    public async Task InitializeAsync() => silos = await TestSilos.StartAsync(2, "replicas");

    public async Task DisposeAsync() => await silos.DisposeAsync();

    static RunSpec Spec(bool lora) => RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with
    {
        Iterations = 10, CheckpointInterval = 5,
        Model = RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")).Model with { Adapter = lora ? new AdapterSpec { R = 4 } : null },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TwoReplicasOnTwoSilosLearnWhatOneLearnerLearns(bool lora)
    {
        var one = await RunAsync(Spec(lora));
        Assert.Empty(one.LearnerHosts);
        var two = await RunAsync(Spec(lora) with { Learners = 2 });
        Assert.Equal(2, two.LearnerHosts.Count);
        Assert.NotEqual(two.LearnerHosts[0], two.LearnerHosts[1]);
        Assert.Null(two.LearnerShortfall);
        Assert.Equal(one.Latest!.PolicyVersion, two.Latest!.PolicyVersion);
        Assert.Equal(one.Latest.ProxyReward, two.Latest.ProxyReward, 4);

        using var scope = NewDisposeScope();
        foreach (var part in new[] { "actor", "critic" })
        {
            var expected = SafetensorsFile.Open(Path.Combine(one.LastCheckpoint!, part, "model.safetensors"));
            var actual = SafetensorsFile.Open(Path.Combine(two.LastCheckpoint!, part, "model.safetensors"));
            Assert.Equal(expected.Entries.Keys.Order(), actual.Entries.Keys.Order());
            foreach (var name in expected.Entries.Keys)
            {
                var gap = (expected.ReadFloat32(name) - actual.ReadFloat32(name)).abs().max().item<float>();
                Assert.True(gap <= 1e-5, $"{part}/{name}: two replicas differ from one learner by {gap}");
            }
        }
    }

    [Fact]
    public async Task MoreLearnersThanModelHostsRunWithTheHostsThereAre()
    {
        var status = await RunAsync(Spec(lora: true) with { Learners = 3, Iterations = 2, CheckpointInterval = 2 });
        Assert.Equal(2, status.LearnerHosts.Count);
        Assert.Contains("2 of 3 learner replicas run", status.LearnerShortfall);
    }

    [Fact]
    public async Task ReplicasThatDisagreeFailTheCommitNamingTheIterationTheReplicasAndBothHashes()
    {
        var spec = Spec(lora: true) with { Learners = 2 };
        var models = Core.Preparation.ModelPreparation.Prepare(spec, silos.DataRoot);
        var runId = $"disagree-{Guid.NewGuid():N}"[..20];
        var context = new RunContext { RunId = runId, SpecJson = spec.ToJson(), SftPath = models.SftPath, RewardPaths = models.RewardPaths };
        var replicas = new[] { silos.Cluster.Client.GetGrain<ILearnerGrain>(runId), silos.Cluster.Client.GetGrain<ILearnerGrain>($"{runId}/1") };
        await replicas[0].InitializeAsync(context, null, 0);
        await replicas[1].CopyFromAsync(context, runId, 0);
        // Each learns iteration 0 on a batch of its own: the same iteration count, different parameters.
        var prompts = Core.Tasks.TrainingTasks.For(spec).TrainPrompts(spec).Tokens.Take(spec.BatchSize).ToArray();
        var zeros = new float[prompts.Length];
        for (var r = 0; r < 2; r++)
            await replicas[r].LearnAsync(new Contracts.Messages.LearnerBatch(0, prompts, prompts.Select(p => p.Skip(r).ToArray()).ToArray(),
                prompts.Select((_, i) => (float)(i % 3)).ToArray(), zeros, zeros));

        var resilience = new EppoResilience(Microsoft.Extensions.Options.Options.Create(new EppoSiloOptions()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EppoResilience>.Instance);
        var set = new global::Eppo.Grains.Runs.LearnerReplicas(silos.Cluster.Client, resilience, context, spec, () => 2, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var error = await Assert.ThrowsAsync<EppoException>(() => set.VerifyAsync(1));
        Assert.Matches(@"^learner replicas disagree after iteration 0: replica 0 \(S[^)]+\) has parameter hash [0-9a-f]{64}, replica 1 \(S[^)]+\) has [0-9a-f]{64}$", error.Message);
        await Task.WhenAll(replicas.Select(r => r.RetireAsync()));
    }

    async Task<RunStatus> RunAsync(RunSpec spec)
    {
        var id = $"replicas-{Guid.NewGuid():N}"[..20];
        await silos.Cluster.Client.GetGrain<IRunGrain>(id).StartAsync(spec.ToJson());
        var status = await new RunWaiter(silos.Cluster.Client).UntilEndedAsync(id, timeout: TimeSpan.FromSeconds(240));
        Assert.True(status.State == RunState.Completed, status.Reason);
        return status;
    }
}
