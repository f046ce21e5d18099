using Eppo.Tests;
using Eppo.Contracts;
using Eppo.Grains.History;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Runs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>
/// The run history lives in the run's history file, not in grain state: status carries a bounded tail, a paged read
/// returns every iteration, the state does not grow with the run, and a file cut by a crash is repaired on activation.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class RunHistoryTests(PipelineCluster fixture)
{
    static RunSpec Tiny => RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json"));

    /// <summary>Iterations of a few milliseconds: one prompt shard, one generator, two prompts, two new tokens.</summary>
    static RunSpec Fast(int iterations) => Tiny with
    {
        Seed = 41, Iterations = iterations, Prompts = 16, BatchSize = 2, MiniBatchSize = 2, MaxNewTokens = 2, Generators = 1, PromptShards = 1,
        CheckpointInterval = 10,
    };

    async Task<(IRunGrain Run, RunStatus Status)> RunToEndAsync(RunSpec spec, string runId)
    {
        var run = fixture.Client.GetGrain<IRunGrain>(runId);
        await run.StartAsync(spec.ToJson());
        var status = await fixture.WaitAsync(runId, timeoutSeconds: 300);
        Assert.True(status.State == RunState.Completed, status.Reason);
        return (run, status);
    }

    static async Task<IReadOnlyList<IterationMetrics>> WholeHistoryAsync(IRunGrain run)
    {
        var all = new List<IterationMetrics>();
        for (IReadOnlyList<IterationMetrics> page; (page = await run.GetHistoryAsync(all.Count, 7)).Count > 0;) all.AddRange(page);
        return all;
    }

    [Fact]
    public async Task EveryIterationIsReadPageByPageAndNamesItsCheckpoint()
    {
        var runId = "history-" + Guid.NewGuid().ToString("N")[..8];
        var (run, status) = await RunToEndAsync(Tiny with { Seed = 43, Iterations = 5 }, runId);
        var history = await WholeHistoryAsync(run);
        Assert.Equal([0, 1, 2, 3, 4], history.Select(m => m.Iteration));
        Assert.Equal(status.History, history); // under the tail's size, status holds all of it
        // Checkpoints every 2 iterations and at the end: after iterations 1, 3 and 4.
        Assert.Equal([1, 3, 4], history.Where(m => m.Checkpoint is not null).Select(m => m.Iteration));
        Assert.Equal(status.LastCheckpoint, history[^1].Checkpoint);
        Assert.All(history.Where(m => m.Checkpoint is not null), m => Assert.True(Directory.Exists(m.Checkpoint), m.Checkpoint));
        Assert.Equal([2, 3], (await run.GetHistoryAsync(2, 2)).Select(m => m.Iteration));
        Assert.Empty(await run.GetHistoryAsync(5, 10));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(fixture.DataRoot, runId, RunHistoryStore.FileName)).Length);
        Assert.NotNull(status.SftPath);
        Assert.Single(status.RewardPaths);
        await Assert.ThrowsAnyAsync<Exception>(() => run.GetHistoryAsync(-1, 10));
    }

    [Fact]
    public async Task PersistedStateIsTheSameSizeAfterTenAndAfterThreeHundredIterations()
    {
        // 300 > the history tail (200) kept in status; with the history in state it would differ by ~180 kB.
        var (_, small) = await RunToEndAsync(Fast(10), "state-00010-" + Guid.NewGuid().ToString("N")[..8]);
        var (bigRun, big) = await RunToEndAsync(Fast(300), "state-00300-" + Guid.NewGuid().ToString("N")[..8]);
        var (smallBytes, bigBytes) = (await StateBytesAsync(small.RunId), await StateBytesAsync(big.RunId));
        // The same fields either way; only "iterations": 10 vs 300 in the spec text and a few varint-encoded counters
        // differ by a byte or two. (With the history in state it grew by ~600 bytes an iteration.)
        Assert.InRange(bigBytes - smallBytes, -8, 8);
        Assert.Equal(RunHistory.TailSize, big.History.Count);
        Assert.Equal(299, big.History[^1].Iteration);
        Assert.Equal(300, (await WholeHistoryAsync(bigRun)).Count);
    }

    [Fact]
    public async Task AHistoryCutByACrashIsRepairedAndTheRunContinuesFromItsCommit()
    {
        var spec = Tiny with { Seed = 47, Iterations = 6 };
        var (_, straight) = await RunToEndAsync(spec, "uncut-" + Guid.NewGuid().ToString("N")[..8]);

        var runId = "cut-" + Guid.NewGuid().ToString("N")[..8];
        var run = fixture.Client.GetGrain<IRunGrain>(runId);
        await run.StartAsync(spec.ToJson());
        await fixture.WaitAsync(runId, s => s.Iteration >= 2);
        await run.PauseAsync();
        var paused = await fixture.WaitAsync(runId);
        Assert.Equal(RunState.Paused, paused.State);
        Assert.True(paused.Iteration < spec.Iterations, "the pause should land before the end");

        // A crash after an append that was never committed, then one mid-append.
        var file = Path.Combine(fixture.DataRoot, runId, RunHistoryStore.FileName);
        File.AppendAllText(file, "{\"iteration\": " + paused.Iteration + "}\n{\"iteration\": 9, \"proxy_rew");
        await fixture.DeactivateAsync(run);

        Assert.Equal(paused.Iteration, (await WholeHistoryAsync(run)).Count);   // re-activated: cut back to the commit
        Assert.Equal(paused.Iteration, File.ReadAllLines(file).Length);
        await run.ResumeAsync();
        var resumed = await fixture.WaitAsync(runId, s => s.State is RunState.Completed or RunState.Failed);
        Assert.True(resumed.State == RunState.Completed, resumed.Reason);
        var history = await WholeHistoryAsync(run);
        Assert.Equal(spec.Iterations, history.Count);
        for (var i = 0; i < spec.Iterations; i++)
        {
            Assert.Equal(straight.History[i].Iteration, history[i].Iteration);
            Assert.Equal(straight.History[i].ProxyReward, history[i].ProxyReward);
            Assert.Equal(straight.History[i].PolicyLoss, history[i].PolicyLoss);
        }
    }

    /// <summary>The run grain's record as the azure profile would store it (Orleans' serializer over the silo's storage).</summary>
    async Task<int> StateBytesAsync(string runId)
    {
        var services = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services;
        var storage = services.GetRequiredKeyedService<IGrainStorage>(EppoStorage.Name);
        var state = new GrainState<RunGrainState>();
        await storage.ReadStateAsync("run", fixture.Client.GetGrain<IRunGrain>(runId).GetGrainId(), state);
        Assert.NotNull(state.State?.SpecJson);
        return services.GetRequiredService<Serializer>().SerializeToArray(state.State!).Length;
    }
}
