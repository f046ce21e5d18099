using Eppo.Contracts.Messages;
using Eppo.Core;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;
using Eppo.Grains.AppendLogs;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace Eppo.Grains.Stages;

/// <summary>
/// The SFT reference per prompt (ΔE_SFT, the SFT answer, the official variant's module energies, PAR's score of the
/// answer) from a cache kept in the run's append log; a miss runs the SFT model greedily once. The log is read once per
/// activation; each miss group is appended to it, so grain state holds counters only.
/// </summary>
[ModelHostPlacement]
public sealed class EnergyReferenceGrain(
    [PersistentState("energy", EppoStorage.Name)] IPersistentState<EnergyCacheState> state,
    IArtifactStore artifacts,
    RunInputs inputs,
    IAppendLogStore logs,
    ILogger<EnergyReferenceGrain> logger) : Grain, IEnergyReferenceGrain
{
    /// <summary>How long an append waits for storage that is away: an entry not persisted is only recomputed later.</summary>
    static readonly TimeSpan AppendPatience = TimeSpan.FromSeconds(10);

    EnergyReferenceCache? cache;
    SftEnergyReference? reference;
    bool tornTail;      // the log ends in a line cut short: the next append starts a new line
    bool countsUnsaved; // hit counts are written with the next miss, or when the grain deactivates

    IAppendLog Log => logs.Open(EnergyReferenceLog.NameOf(this.GetPrimaryKeyString()));

    async Task<ReferenceEnergies> IEnergyReferenceGrain.GetAsync(RunContext run, string[] promptIds, int[][] promptTokens)
    {
        var entries = await CacheAsync();
        if (reference is null)
        {
            var local = await inputs.ResolveAsync(run);
            var sftPath = await artifacts.LocalPathAsync(run.SftPath);
            reference = await ComputeThreads.RunAsync(() => SftEnergyReference.For(sftPath, local.Task.Codec, local.Spec));
        }
        var model = reference;
        var (found, computed) = await ComputeThreads.RunAsync(() => entries.Get(promptIds, promptTokens, model));
        state.State.Hits += found.Hits;
        state.State.Misses += computed.Count;
        countsUnsaved = computed.Count == 0;
        if (computed.Count > 0)
        {
            await AppendAsync(EnergyReferenceLog.Encode(computed));
            try { await state.WriteStateAsync(); }
            catch (Exception e) when (TransientFailures.IsTransient(e)) { logger.LogWarning("energy cache counts not persisted: {Error}", e.GetBaseException().Message); }
        }
        return found;
    }

    async Task IEnergyReferenceGrain.PutReferenceScoresAsync(string[] promptIds, float[] scores)
    {
        var changed = (await CacheAsync()).SetReferenceScores(promptIds, scores);
        if (changed.Count > 0) await AppendAsync(EnergyReferenceLog.EncodeScores(changed));
    }

    /// <summary>The entries, read from the log once per activation (with those of older grain state moved into it).</summary>
    async Task<EnergyReferenceCache> CacheAsync()
    {
        if (cache is not null) return cache;
        var (entries, torn) = await EnergyReferenceLog.ReadAsync(Log);
        var loaded = new EnergyReferenceCache();
        loaded.Restore(entries);
        tornTail = torn;
        cache = loaded;
        await MigrateAsync(loaded);
        return loaded;
    }

    /// <summary>
    /// State written before the log held the entries in two dictionaries: they are appended to the log once, then
    /// dropped from the state. An entry without its answer (older still) is left out: it is recomputed as a miss.
    /// </summary>
    async Task MigrateAsync(EnergyReferenceCache into)
    {
        var old = state.State;
        if (old.Values.Count == 0 && old.Answers.Count == 0) return;
        var moved = old.Values.Where(v => old.Answers.ContainsKey(v.Key) && !into.Entries.ContainsKey(v.Key))
            .Select(v => KeyValuePair.Create(v.Key, new ReferenceEntry(v.Value, old.Answers[v.Key]))).ToArray();
        into.Restore(moved);
        if (moved.Length > 0 && !await AppendAsync(EnergyReferenceLog.Encode(moved))) return; // moved on a later activation
        (old.Values, old.Answers) = ([], []);
        try { await state.WriteStateAsync(); }
        catch (Exception e) when (TransientFailures.IsTransient(e)) { logger.LogWarning("energy cache state not rewritten after moving it to the log: {Error}", e.GetBaseException().Message); }
        logger.LogInformation("energy cache {Run}: {Entries} entries moved from grain state to {Log}", this.GetPrimaryKeyString(), moved.Length, EnergyReferenceLog.FileName);
    }

    /// <summary>Appends one record; false if storage is away. A cache: what is not persisted is recomputed identically after a restart.</summary>
    async Task<bool> AppendAsync(byte[] record)
    {
        using var patience = new CancellationTokenSource(AppendPatience);
        try
        {
            if (tornTail) await Log.AppendAsync("\n"u8.ToArray(), patience.Token);
            tornTail = false;
            await Log.AppendAsync(record, patience.Token);
            return true;
        }
        catch (Exception e) when (TransientFailures.IsTransient(e))
        {
            tornTail = true; // it may have been cut short
            logger.LogWarning("energy cache entries not persisted: {Error}", e.GetBaseException().Message);
            return false;
        }
    }

    Task IEnergyReferenceGrain.RetireAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellation)
    {
        // The SFT model's native memory goes with the activation; the cache itself is in the log.
        if (reference is { } held) await ComputeThreads.RunAsync(held.Dispose);
        (reference, cache) = (null, null);
        if (!countsUnsaved) return;
        try { await state.WriteStateAsync(cancellation); }
        catch (Exception e) when (TransientFailures.IsTransient(e) || e is OperationCanceledException)
        {
            logger.LogWarning("energy cache hit counts not persisted: {Error}", e.GetBaseException().Message);
        }
    }

    async Task<EnergyCacheStats> IEnergyReferenceGrain.GetStatsAsync() =>
        new() { Hits = state.State.Hits, Misses = state.State.Misses, Entries = (await CacheAsync()).Entries.Count };
}
