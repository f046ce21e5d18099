namespace Eppo.Core.Evaluation;

/// <summary>
/// Compares a policy's response to a baseline's for the same prompt, as the paper's GPT-4 judge does. A task offers
/// its judges through the task seam (<see cref="Tasks.ITrainingTask.Judges"/>); the prompt is the task's own text of it.
/// </summary>
public interface IPairJudge : IDisposable
{
    /// <summary>A short name for reports: "gold", "reward-model", or "chat:MODEL".</summary>
    string Name { get; }

    Task<JudgeOutcome> JudgeAsync(string prompt, string policy, string baseline, CancellationToken cancellation);
}
