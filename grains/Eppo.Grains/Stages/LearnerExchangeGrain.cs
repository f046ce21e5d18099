using Eppo.Core.Learning;
using Eppo.Grains.Interfaces;
using Orleans.Concurrency;
using Orleans.Placement;

namespace Eppo.Grains.Stages;

/// <summary>
/// The meeting point of a run's learner replicas for one attempt at an iteration: rounds of sums (or gathers) answered
/// once every replica has sent its part (<see cref="ReplicaReduction"/>: in replica order, the same bits for all). A
/// round is dropped once every replica has its answer. Placed on the silo of the first replica that calls. A closed
/// exchange stays active (idle collection takes it), so a replica that calls late is told, not left waiting.
/// </summary>
[Reentrant, PreferLocalPlacement]
public sealed class LearnerExchangeGrain : Grain, ILearnerExchangeGrain
{
    sealed class Round(int replicas)
    {
        public readonly float[]?[] Parts = new float[]?[replicas];
        public readonly TaskCompletionSource<float[]> Answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Answered;
    }

    readonly Dictionary<int, Round> rounds = [];
    string? closed;
    long received;  // values sent by the replicas: what the attempt cost on the wire, each answer as much again per replica

    async Task<float[]> ILearnerExchangeGrain.ExchangeAsync(int replica, int replicas, int round, float[] local, bool gather)
    {
        if (closed is not null) throw new StageStateLostException($"learner exchange {this.GetPrimaryKeyString()} is closed: {closed}");
        if (replica < 0 || replica >= replicas) throw new ArgumentOutOfRangeException(nameof(replica), $"replica {replica} of {replicas}");
        if (!rounds.TryGetValue(round, out var open)) rounds[round] = open = new Round(replicas);
        if (open.Parts.Length != replicas || open.Parts[replica] is not null)
            throw new StageStateLostException($"learner exchange {this.GetPrimaryKeyString()}: replica {replica} sent round {round} twice, or for another replica count");
        open.Parts[replica] = local;
        received += local.Length;
        if (open.Parts.All(p => p is not null))
        {
            try { open.Answer.TrySetResult(ReplicaReduction.Combine(open.Parts!, gather)); }
            catch (Exception e) { open.Answer.TrySetException(e); }
        }
        try
        {
            return await open.Answer.Task;
        }
        finally
        {
            if (++open.Answered == replicas) rounds.Remove(round);
        }
    }

    Task<long> ILearnerExchangeGrain.CloseAsync(string? reason)
    {
        closed ??= reason ?? "the attempt is over";
        foreach (var open in rounds.Values)
            open.Answer.TrySetException(new StageStateLostException($"learner exchange {this.GetPrimaryKeyString()} closed: {closed}"));
        rounds.Clear();
        return Task.FromResult(received);
    }
}
