using Eppo.Contracts;
using Eppo.Core.Preparation;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Stages;
using Eppo.Tests;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>Policy weights travel in chunks (8 KiB in this cluster) and are checked whole: a mixed or altered copy is refused.</summary>
[Collection(PipelineCollection.Name)]
public sealed class PolicyTransferTests(PipelineCluster fixture)
{
    [Fact]
    public async Task APolicyArrivesInChunksWholeAndAnAlteredOneIsRefused()
    {
        var spec = RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json"));
        var models = ModelPreparation.Prepare(spec, fixture.DataRoot);
        var runId = "transfer-" + Guid.NewGuid().ToString("N")[..8];
        var learner = fixture.Client.GetGrain<ILearnerGrain>(runId);
        await learner.InitializeAsync(new RunContext { RunId = runId, SpecJson = spec.ToJson(), SftPath = models.SftPath, RewardPaths = models.RewardPaths }, null, 0);

        var policy = await learner.GetPolicyAsync(haveVersion: -1);
        Assert.Equal(0, policy.Version);
        Assert.True(policy.Chunks > 3, $"{policy.TotalBytes} bytes in {policy.Chunks} chunks");
        var bytes = await PolicyTransfer.FetchAsync(learner, policy);
        Assert.Equal(policy.TotalBytes, bytes.Length);
        Assert.All(bytes.Chunks, c => Assert.True(c.Length <= 8192));   // no array holds more than a chunk
        Assert.Equal(0, (await learner.GetPolicyAsync(haveVersion: 0)).Chunks);   // nothing to fetch when up to date

        await Assert.ThrowsAsync<StageStateLostException>(() => PolicyTransfer.FetchAsync(learner, policy with { Sha256 = new byte[32] }));
        await Assert.ThrowsAsync<StageStateLostException>(() => learner.GetPolicyChunkAsync(policy.Version + 1, 0));
        await Assert.ThrowsAsync<StageStateLostException>(() => learner.GetPolicyChunkAsync(policy.Version, policy.Chunks));
        await learner.RetireAsync();
    }
}
