using Eppo.Contracts.Messages;
using Eppo.Tests;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Preparation;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Stages;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>
/// The energy reference grain keeps its cache in the run's append log, not in grain state: the state is the same size
/// for 10 and for 1,000 cached prompts, a record cut short by a crash is ignored (and recomputed) on reload, and state
/// written before the log is moved into it.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class EnergyReferenceLogTests(PipelineCluster fixture)
{
    static readonly RunSpec Spec = RunSpec.Load(RepoRoot.Path("deploy/examples/tiny.json")) with { Prompts = 1000, MaxNewTokens = 3 };
    static readonly PromptSet Prompts = TrainingTasks.For(Spec).TrainPrompts(Spec);

    RunContext Context(string runId) => new()
    {
        RunId = runId, SpecJson = Spec.ToJson(), SftPath = ModelPreparation.PrepareSft(Spec, fixture.DataRoot).Path, RewardPaths = [],
    };

    IEnergyReferenceGrain Grain(string runId) => fixture.Client.GetGrain<IEnergyReferenceGrain>(runId);

    Task<ReferenceEnergies> GetAsync(string runId, int from, int count) =>
        Grain(runId).GetAsync(Context(runId), Prompts.Ids.Skip(from).Take(count).ToArray(), Prompts.Tokens.Skip(from).Take(count).ToArray());

    string LogPath(string runId) => Path.Combine(fixture.DataRoot, runId, EnergyReferenceLog.FileName);

    Task ReactivateAsync(string runId) => fixture.DeactivateAsync(Grain(runId));

    IGrainStorage Storage => ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(EppoStorage.Name);

    async Task<EnergyCacheState> StateAsync(string runId)
    {
        var state = new GrainState<EnergyCacheState>();
        await Storage.ReadStateAsync("energy", Grain(runId).GetGrainId(), state);
        return state.State ?? throw new InvalidOperationException($"no energy cache state for {runId}");
    }

    [Fact]
    public async Task GrainStateIsTheSameSizeForTenAndForAThousandCachedPrompts()
    {
        var (small, big) = ("energy-10-" + Guid.NewGuid().ToString("N")[..8], "energy-1000-" + Guid.NewGuid().ToString("N")[..8]);
        await GetAsync(small, 0, 10);
        for (var i = 0; i < 1000; i += 250) await GetAsync(big, i, 250);
        Assert.Equal(1000, (await Grain(big).GetStatsAsync()).Entries);
        Assert.Equal(1000, File.ReadLines(LogPath(big)).Count());

        var serializer = ((InProcessSiloHandle)fixture.Cluster.Silos[0]).SiloHost.Services.GetRequiredService<Serializer>();
        var (smallBytes, bigBytes) = (serializer.SerializeToArray(await StateAsync(small)).Length, serializer.SerializeToArray(await StateAsync(big)).Length);
        // Counters only: Misses = 10 vs 1,000 differ by a varint byte. (With the entries in state, ~40 bytes a prompt here.)
        Assert.InRange(bigBytes - smallBytes, 0, 2);
        Assert.Equal(1000, (await StateAsync(big)).Misses);
    }

    [Fact]
    public async Task ARecordCutShortByACrashIsIgnoredOnReloadAndRecomputed()
    {
        var runId = "energy-torn-" + Guid.NewGuid().ToString("N")[..8];
        var first = await GetAsync(runId, 0, 16);
        Assert.Equal(0, first.Hits);
        var log = LogPath(runId);
        var lines = File.ReadAllLines(log);
        Assert.Equal(16, lines.Length);

        // A crash mid-append: the last line loses its end.
        var torn = lines[^1];
        using (var file = new FileStream(log, FileMode.Open)) file.SetLength(file.Length - 12);
        await ReactivateAsync(runId);

        var again = await GetAsync(runId, 0, 16);
        Assert.Equal(15, again.Hits);
        Assert.Equal(first.Answers, again.Answers);
        var recomputed = Enumerable.Range(0, 16).Single(i => torn.Contains($"\"{Prompts.Ids[i]}\""));
        for (var i = 0; i < 16; i++)
            if (i != recomputed) Assert.Equal(first.Energy[i], again.Energy[i]);
        // Greedy decoding: the same answer; its energy, now from a miss group of another size, to float rounding.
        Assert.Equal(first.Energy[recomputed], again.Energy[recomputed], 1e-6);

        // The recomputed entry went on a fresh line: the log now reads whole.
        Assert.Equal(17, File.ReadAllLines(log).Length);
        await ReactivateAsync(runId);
        Assert.Equal(16, (await GetAsync(runId, 0, 16)).Hits);
        var stats = await Grain(runId).GetStatsAsync();
        Assert.Equal((16, 17L, 31L), (stats.Entries, stats.Misses, stats.Hits));
    }

    [Fact]
    public async Task StateWrittenBeforeTheLogIsMovedIntoIt()
    {
        var runId = "energy-old-" + Guid.NewGuid().ToString("N")[..8];
        // What the old grain kept: ΔE_SFT and the answer per prompt (marked values, to see where they come from), and
        // one entry of older state still, without its answer.
        var old = new EnergyCacheState { Hits = 3, Misses = 7 };
        for (var i = 0; i < 6; i++) (old.Values[Prompts.Ids[i]], old.Answers[Prompts.Ids[i]]) = (0.5f + i, [5, 6, i]);
        old.Values[Prompts.Ids[6]] = 9f;
        await Storage.WriteStateAsync("energy", Grain(runId).GetGrainId(), new GrainState<EnergyCacheState>(old));

        var reference = await GetAsync(runId, 0, 8);
        Assert.Equal(6, reference.Hits);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(0.5f + i, reference.Energy[i]);
            Assert.Equal([5, 6, i], reference.Answers[i]);
        }
        Assert.NotEqual(9f, reference.Energy[6]);                               // no answer: recomputed
        var state = await StateAsync(runId);
        Assert.Empty(state.Values);
        Assert.Empty(state.Answers);
        Assert.Equal((9L, 9L), (state.Hits, state.Misses));
        Assert.Equal(8, File.ReadAllLines(LogPath(runId)).Length);              // 6 moved, 2 computed

        await ReactivateAsync(runId);
        var again = await GetAsync(runId, 0, 8);
        Assert.Equal(8, again.Hits);
        Assert.Equal(reference.Energy, again.Energy);
        Assert.Equal(8, (await Grain(runId).GetStatsAsync()).Entries);
    }
}
