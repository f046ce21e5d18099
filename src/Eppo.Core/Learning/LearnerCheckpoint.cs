using System.Text.Json;
using Eppo.Core.Checkpoints;

namespace Eppo.Core.Learning;

/// <summary>
/// A learner checkpoint is a directory: one checkpoint per trainable part (its module, optimizer and metadata; e.g.
/// actor/ and critic/) and learner.json (<see cref="LearnerState"/>), written as a whole or not at all.
/// </summary>
public static class LearnerCheckpoint
{
    public const string StateFile = "learner.json";

    public static void Save(string dir, IReadOnlyList<CheckpointPart> parts, LearnerState state) =>
        AtomicDirectory.Write(dir, temp =>
        {
            foreach (var part in parts)
                Checkpoint.Save(Path.Combine(temp, part.Name), part.Module, part.Optimizer, part.Metadata);
            File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state));
        });

    /// <summary>Loads every part's module and optimizer from <paramref name="dir"/>; returns the learner state.</summary>
    public static LearnerState Load(string dir, IReadOnlyList<CheckpointPart> parts)
    {
        var stateFile = Path.Combine(dir, StateFile);
        if (!File.Exists(stateFile)) throw new EppoException($"{dir}: not a complete learner checkpoint (no {StateFile})");
        foreach (var part in parts)
            Checkpoint.Load(Path.Combine(dir, part.Name), part.Module, part.Optimizer);
        return JsonSerializer.Deserialize<LearnerState>(File.ReadAllText(stateFile))
               ?? throw new EppoException($"{stateFile}: empty learner state");
    }
}
