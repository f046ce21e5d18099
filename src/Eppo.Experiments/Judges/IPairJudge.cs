namespace Eppo.Experiments.Judges;

/// <summary>Compares a policy's response to a baseline's (the SFT model's) for the same prompt, as the paper's GPT-4 judge does.</summary>
public interface IPairJudge : IDisposable
{
    /// <summary>A short name for reports: "reward-model", or "chat:MODEL".</summary>
    string Name { get; }

    Task<JudgeOutcome> JudgeAsync(string prompt, string policy, string baseline, CancellationToken cancellation);
}
