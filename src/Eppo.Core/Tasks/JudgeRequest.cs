using Eppo.Contracts;
using Eppo.Core.Model;

namespace Eppo.Core.Tasks;

/// <summary>
/// Which of a task's judges to build (<see cref="ITrainingTask.Judge"/>) and from what.
/// </summary>
/// <param name="Name">One of the task's <see cref="ITrainingTask.Judges"/>.</param>
/// <param name="Baseline">The policy answers are compared with (the SFT model); a judge reward model is trained from its trunk.</param>
/// <param name="Directory">Where a trained judge is loaded from if it exists, else saved to; null: trained and kept in memory.</param>
/// <param name="ChatUrl">A chat judge's endpoint; null: from the environment.</param>
/// <param name="ChatModel">A chat judge's model; null: from the environment.</param>
public sealed record JudgeRequest(string Name, RunSpec Spec, DecoderModel Baseline, string? Directory = null, string? ChatUrl = null,
    string? ChatModel = null, Action<string>? Progress = null)
{
    /// <summary>The error for a judge <paramref name="task"/> does not offer, naming those it does.</summary>
    public EppoException NotOffered(ITrainingTask task) =>
        new($"task '{task.Name}' has no judge '{Name}' ({(task.Judges.Count == 0 ? "it has none" : "its judges: " + string.Join(", ", task.Judges))})");
}
