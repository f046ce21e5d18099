using Eppo.Core.Checkpoints;

namespace Eppo.Core.Learning;

/// <summary>
/// A learner's trainable state in memory — every part's weights and optimizer state as safetensors bytes, and the
/// learner state — so a data-parallel replica can put back the state it started an iteration from when a partner
/// fails mid-way. Nothing is written to disk: it is taken every iteration (LoRA: the adapters' MBs; full fine-tuning:
/// a second copy of the actor, the critic and their Adam moments).
/// </summary>
public sealed class LearnerSnapshot
{
    const int ChunkBytes = 64 << 20;

    readonly List<(ChunkedBytes Weights, ChunkedBytes Optimizer)> parts = [];

    public LearnerState State { get; }

    LearnerSnapshot(LearnerState state) => State = state;

    public static LearnerSnapshot Take(IReadOnlyList<CheckpointPart> parts, LearnerState state)
    {
        var snapshot = new LearnerSnapshot(state);
        foreach (var part in parts)
        {
            var (weights, optimizer) = (new ChunkedBytes(ChunkBytes, hashed: false), new ChunkedBytes(ChunkBytes, hashed: false));
            ModelWeights.Write(part.Module, weights);
            OptimizerStateFile.Write(part.Optimizer, optimizer);
            weights.Flush();
            optimizer.Flush();
            snapshot.parts.Add((weights, optimizer));
        }
        return snapshot;
    }

    /// <summary>Loads every part back into <paramref name="parts"/> (the same learner's); returns the learner state.</summary>
    public LearnerState Restore(IReadOnlyList<CheckpointPart> parts)
    {
        for (var p = 0; p < parts.Count; p++)
        {
            ModelWeights.Load(parts[p].Module, SafetensorsFile.FromChunks(this.parts[p].Weights, $"snapshot of {parts[p].Name}"));
            OptimizerStateFile.Read(parts[p].Optimizer, SafetensorsFile.FromChunks(this.parts[p].Optimizer, $"snapshot of {parts[p].Name}'s optimizer"));
        }
        return State;
    }
}
