using Eppo.Core.Tasks;

namespace Eppo.Core.Evaluation.Judges;

/// <summary>
/// A task's gold judge comparing two answers: the policy wins when its gold score is more than <paramref name="margin"/>
/// above the baseline's, loses when more than that below, ties otherwise — the comparison the demo's report makes
/// between sampled answers (<see cref="EvaluationMetrics.Compare"/>).
/// </summary>
public sealed class GoldPairJudge(IGoldJudge gold, float margin = EvaluationMetrics.DefaultWinMargin) : IPairJudge
{
    public const string JudgeName = "gold";

    public string Name => JudgeName;

    public void Dispose() { }

    public Task<JudgeOutcome> JudgeAsync(string prompt, string policy, string baseline, CancellationToken cancellation) =>
        Task.FromResult(WinTieLose.Outcome(gold.Verdict(prompt, policy).Score - gold.Verdict(prompt, baseline).Score, margin));
}
