using System.Runtime.ExceptionServices;
using Eppo.Contracts;
using Eppo.Contracts.Messages;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace Eppo.Grains.Runs;

/// <summary>
/// A run's data-parallel learner replicas (<c>learners: K</c>): as many as there are model hosts, up to K. The set is
/// fixed within an iteration and chosen again before each: a replica that is new, or came back on another silo with
/// nothing, takes the state of a live one. An iteration whose replica dies mid-way is redone by the survivors, who put
/// back the state they started it from; only when no replica holds the run's state does the run fall back to its
/// checkpoint. Replica 0 (keyed by the run id) publishes the policy and writes checkpoints.
/// </summary>
public sealed class LearnerReplicas(IGrainFactory grains, EppoResilience resilience, RunContext run, RunSpec spec, Func<int> learnerHosts, ILogger logger)
{
    /// <summary>Attempts at one iteration's learning before the run's own retry (back to the checkpoint) takes over.</summary>
    const int Attempts = 8;

    /// <summary>How long settling the set may keep meeting a silo that is going away (a dead one is declared so in seconds).</summary>
    static readonly TimeSpan SettleTime = TimeSpan.FromMinutes(2);

    /// <summary>Each replica's silo, as last seen.</summary>
    public string[] Hosts { get; private set; } = [];

    /// <summary>Why fewer replicas run than the spec asks for (null when all do).</summary>
    public string? Shortfall { get; private set; }

    public static string Key(string runId, int replica) => replica == 0 ? runId : $"{runId}/{replica}";

    ILearnerGrain Replica(int replica) => grains.GetGrain<ILearnerGrain>(Key(run.RunId, replica));

    /// <summary>Every replica up to the spec's K (also those the set no longer uses), for retiring them.</summary>
    public IEnumerable<ILearnerGrain> All => Enumerable.Range(0, spec.LearnerReplicas).Select(Replica);

    /// <summary>
    /// Makes each replica of this iteration's set hold the state after <paramref name="iterationsDone"/> iterations,
    /// copying it from a live replica; returns how many replicas the set has. Throws (the run then goes back to its
    /// checkpoint) when no replica holds that state.
    /// </summary>
    public async Task<int> EnsureAsync(int iterationsDone)
    {
        var deadline = DateTime.UtcNow + SettleTime;
        for (var attempt = 1; ; attempt++)
            try
            {
                return await SettleAsync(iterationsDone);
            }
            catch (Exception e) when (TransientFailures.IsTransient(e) && DateTime.UtcNow < deadline)
            {
                // A replica's silo died and is not yet declared dead, or its grain is being re-activated: not a reason
                // to go back to the checkpoint while a live replica holds the state.
                logger.LogInformation("run {Run}: settling the learner replicas failed ({Error}); trying again", run.RunId, e.GetBaseException().Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
            }
    }

    async Task<int> SettleAsync(int iterationsDone)
    {
        var hosts = Math.Max(1, learnerHosts());
        var count = Math.Min(spec.LearnerReplicas, Math.Min(hosts, spec.BatchSize));
        Shortfall = count < spec.LearnerReplicas ? $"{count} of {spec.LearnerReplicas} learner replicas run: the cluster has {hosts} silo(s) for learners" : null;
        var held = await Task.WhenAll(Enumerable.Range(0, count).Select(r => resilience.CallAsync(() => Replica(r).HeldAsync())));
        Hosts = held.Select(h => h.Host).ToArray();
        var live = Array.FindIndex(held, h => h.IterationsDone == iterationsDone);
        if (live < 0)
            throw new StageStateLostException($"no learner replica holds iteration {iterationsDone} (they hold {string.Join(", ", held.Select(h => h.IterationsDone))})");
        var joining = Enumerable.Range(0, count).Where(r => held[r].IterationsDone != iterationsDone).ToArray();
        if (joining.Length > 0)
        {
            logger.LogInformation("run {Run}: learner replica(s) {Joining} take the state of replica {Live} after {Iterations} iterations",
                run.RunId, string.Join(",", joining), live, iterationsDone);
            await Task.WhenAll(joining.Select(r => resilience.CallAsync(() => Replica(r).CopyFromAsync(run, Key(run.RunId, live), iterationsDone))));
        }
        if (Hosts.Distinct().Count() < Hosts.Length)
            logger.LogInformation("run {Run}: learner replicas share a silo ({Hosts}) after a membership change; they learn alike, more slowly", run.RunId, string.Join(", ", Hosts));
        return count;
    }

    /// <summary>
    /// One iteration on every replica of the set (one replica: the plain learner call). A replica's failure closes the
    /// exchange at once, so no survivor waits for it; a transient failure is tried again with the set as it is then.
    /// </summary>
    public async Task<IterationMetrics> LearnAsync(LearnerBatch batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            var count = await EnsureAsync(batch.Iteration);
            if (count == 1) return await Replica(0).LearnAsync(batch);
            var exchange = grains.GetGrain<ILearnerExchangeGrain>($"{run.RunId}/{batch.Iteration}/{Guid.NewGuid():N}");
            var calls = Enumerable.Range(0, count)
                .Select(r => Replica(r).LearnReplicaAsync(batch, new ReplicaSlot { Replica = r, Replicas = count, Exchange = exchange.GetPrimaryKeyString() }))
                .ToList();
            var pending = calls.ToList();
            var closed = false;
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending);
                pending.Remove(done);
                if (done.IsCompletedSuccessfully || closed) continue;
                closed = true;
                await CloseAsync(exchange, $"replica {calls.IndexOf(done)} failed: {done.Exception!.GetBaseException().Message}");
            }
            if (!closed) await CloseAsync(exchange, null);
            // One success means every round completed, so the update stands; a replica that did not answer is brought
            // up to date before the next iteration.
            if (calls.FirstOrDefault(c => c.IsCompletedSuccessfully) is { } learned) return learned.Result;
            var errors = calls.Select(c => c.Exception!.GetBaseException()).ToArray();
            if (errors.FirstOrDefault(e => !TransientFailures.IsRetryableIteration(e)) is { } deterministic) ExceptionDispatchInfo.Throw(deterministic);
            if (attempt >= Attempts)
                throw new StageStateLostException($"learning iteration {batch.Iteration} on {count} replicas failed {attempt} times: {errors[0].Message}");
            logger.LogWarning("run {Run}: learning iteration {Iteration} on {Count} replicas failed ({Error}); redoing it with the replicas there are",
                run.RunId, batch.Iteration, count, errors[0].Message);
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
        }
    }

    /// <summary>The replicas must hold the same parameters when the run commits; a mismatch fails the run.</summary>
    public async Task VerifyAsync(int iterationsDone)
    {
        var count = await EnsureAsync(iterationsDone);
        if (count == 1) return;
        var hashes = await Task.WhenAll(Enumerable.Range(0, count).Select(r => resilience.CallAsync(() => Replica(r).ParameterHashAsync(iterationsDone))));
        for (var r = 1; r < count; r++)
            if (hashes[r] != hashes[0])
                throw new EppoException($"learner replicas disagree after iteration {iterationsDone - 1}: replica 0 ({Hosts[0]}) has parameter hash {hashes[0]}, replica {r} ({Hosts[r]}) has {hashes[r]}");
    }

    async Task CloseAsync(ILearnerExchangeGrain exchange, string? reason)
    {
        try { await exchange.CloseAsync(reason); }
        catch (Exception e) { logger.LogInformation("run {Run}: closing learner exchange failed ({Error}); its replicas fail on their own", run.RunId, e.Message); }
    }
}
