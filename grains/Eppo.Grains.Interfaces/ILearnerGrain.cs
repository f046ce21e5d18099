using Eppo.Contracts;
using Eppo.Contracts.Messages;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// Hosts actor, critic, their optimizers and the frozen SFT policy for KL (key: run id). Assembles the shaped reward
/// from the scorer's r, the reference ΔE_SFT and the rollout's ΔE_RL, runs the PPO epochs and publishes a new policy
/// version. Checkpoints hold weights, optimizer state, KL controller and reward statistics. A run with
/// <c>learners: K</c> has K replicas: replica 0 keyed by the run id (it publishes the policy and writes checkpoints),
/// replica r by "{run}/{r}", placed on consecutive model hosts.
/// </summary>
[Alias("eppo.ILearnerGrain")]
public interface ILearnerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Makes the learner hold the state after <paramref name="iterationsDone"/> iterations: kept if it already does,
    /// else rebuilt from the SFT policy and <paramref name="checkpoint"/> (null for a fresh run). Returns the policy version.
    /// </summary>
    [Alias("Initialize"), ResponseTimeout("00:10:00")] Task<int> InitializeAsync(RunContext run, string? checkpoint, int iterationsDone);
    [Alias("Learn"), ResponseTimeout("00:30:00")] Task<IterationMetrics> LearnAsync(LearnerBatch batch);
    /// <summary>The current policy version's description; <paramref name="haveVersion"/> = the caller's (no chunks to fetch when equal).</summary>
    [Alias("Policy")] Task<PolicyWeights> GetPolicyAsync(int haveVersion);
    /// <summary>Chunk <paramref name="index"/> of version <paramref name="version"/>'s bytes; refuses a version the learner no longer publishes.</summary>
    [Alias("PolicyChunk")] Task<byte[]> GetPolicyChunkAsync(int version, int index);
    /// <summary>Writes a checkpoint atomically for the iterations done so far; returns its location.</summary>
    /// <param name="iterationsDone">The iterations the run commits: a learner that holds another count (an activation
    /// that lost its state and was re-initialised from an older checkpoint) refuses, and the run rolls back instead of
    /// recording a checkpoint that does not hold what it claims.</param>
    [Alias("Checkpoint"), ResponseTimeout("00:10:00")] Task<string> CheckpointAsync(int iterationsDone);
    /// <summary>What this replica holds (nothing for a fresh activation), and where it runs.</summary>
    [Alias("Held")] Task<ReplicaHeld> HeldAsync();
    /// <summary>
    /// One iteration as data-parallel replica <paramref name="slot"/>: its rows of <paramref name="batch"/>, statistics and
    /// gradients exchanged with the other replicas. A replica that fails puts back the state it started from.
    /// </summary>
    [Alias("LearnReplica"), ResponseTimeout("00:30:00")] Task<IterationMetrics> LearnReplicaAsync(LearnerBatch batch, ReplicaSlot slot);
    /// <summary>Takes the state of the live replica <paramref name="peer"/> after <paramref name="iterationsDone"/> iterations (a replica that joins or came back). Returns the policy version.</summary>
    [Alias("CopyFrom"), ResponseTimeout("00:10:00")] Task<int> CopyFromAsync(RunContext run, string peer, int iterationsDone);
    /// <summary>This replica's whole state (a learner checkpoint, archived) after <paramref name="iterationsDone"/> iterations, described; chunks by <see cref="GetStateChunkAsync"/>.</summary>
    [Alias("State"), ResponseTimeout("00:10:00")] Task<PolicyWeights> GetStateAsync(int iterationsDone);
    [Alias("StateChunk")] Task<byte[]> GetStateChunkAsync(int iterationsDone, int index);
    /// <summary>SHA-256 of the trainable parts; refuses when the replica holds another iteration count.</summary>
    [Alias("ParameterHash"), ResponseTimeout("00:10:00")] Task<string> ParameterHashAsync(int iterationsDone);
    /// <summary>Deactivates when idle, freeing the models (the run has ended; a resumed run re-initialises from its checkpoint).</summary>
    [Alias("Retire")] Task RetireAsync();
}
