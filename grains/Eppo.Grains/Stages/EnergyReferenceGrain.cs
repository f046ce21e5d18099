using Eppo.Core;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Training;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace Eppo.Grains.Stages;

/// <summary>ΔE_SFT and the SFT answer per prompt from a persisted cache; a miss runs the SFT model greedily once.</summary>
[ModelHostPlacement]
public sealed class EnergyReferenceGrain(
    [PersistentState("energy", EppoStorage.Name)] IPersistentState<EnergyCacheState> state,
    IArtifactStore artifacts,
    ILogger<EnergyReferenceGrain> logger) : Grain, IEnergyReferenceGrain
{
    EnergyReferenceCache? cache;
    bool countsUnsaved;  // hit counts are written with the next miss, or when the grain deactivates

    async Task<EnergyReference> IEnergyReferenceGrain.GetAsync(RunContext run, string[] promptIds, int[][] promptTokens)
    {
        if (cache is null)
        {
            var spec = RunSpec.Parse(run.SpecJson, run.RunId);
            var sftPath = await artifacts.LocalPathAsync(run.SftPath);
            cache = await ComputeThreads.RunAsync(() =>
                new EnergyReferenceCache(SftEnergyReference.For(sftPath, TrainingTasks.For(spec).Codec, spec)));
            cache.Restore(state.State.Values, state.State.Answers);
        }
        var (energy, answers, hits, misses) = await ComputeThreads.RunAsync(() => cache.Get(promptIds, promptTokens));
        state.State.Hits += hits;
        state.State.Misses += misses;
        countsUnsaved = misses == 0;
        if (misses > 0)
        {
            foreach (var id in promptIds) (state.State.Values[id], state.State.Answers[id]) = (cache.Values[id], cache.Answers[id]);
            // A cache: values computed but not persisted (storage away) are recomputed identically after a restart.
            try { await state.WriteStateAsync(); }
            catch (Exception e) when (Hosting.TransientFailures.IsTransient(e)) { logger.LogWarning("energy cache not persisted: {Error}", e.GetBaseException().Message); }
        }
        return new EnergyReference { Energy = energy, Answers = answers, Hits = hits };
    }

    Task IEnergyReferenceGrain.RetireAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellation)
    {
        // The SFT model's native memory goes with the activation; the cache itself is in grain state.
        if (cache is { } held) await ComputeThreads.RunAsync(held.Dispose);
        cache = null;
        if (!countsUnsaved) return;
        try { await state.WriteStateAsync(cancellation); }
        catch (Exception e) when (Hosting.TransientFailures.IsTransient(e) || e is OperationCanceledException)
        {
            logger.LogWarning("energy cache hit counts not persisted: {Error}", e.GetBaseException().Message);
        }
    }

    Task<EnergyCacheStats> IEnergyReferenceGrain.GetStatsAsync() =>
        Task.FromResult(new EnergyCacheStats { Hits = state.State.Hits, Misses = state.State.Misses, Entries = state.State.Values.Count });
}

[GenerateSerializer, Alias("eppo.EnergyCacheState")]
public sealed class EnergyCacheState
{
    [Id(0)] public Dictionary<string, float> Values { get; set; } = [];
    [Id(1)] public long Hits { get; set; }
    [Id(2)] public long Misses { get; set; }
    /// <summary>The SFT model's greedy answer per prompt (PAR's reference); absent in caches written before it was kept.</summary>
    [Id(3)] public Dictionary<string, int[]> Answers { get; set; } = [];
}
