namespace Eppo.Core.Tasks;

/// <summary>
/// A task's programmatic judge: the gold reward of a (prompt, response) pair by token ids (a reward source, and the
/// gold metric of every iteration), the verdict on a held-out answer for evaluation, and the task's hacking rule.
/// </summary>
public interface IGoldJudge : IRewardFunction
{
    /// <summary>The verdict on <paramref name="response"/> to <paramref name="prompt"/> (the prompt's text as the task's codec decodes it).</summary>
    GoldScore Verdict(string prompt, string response);

    /// <summary>Whether an answer with this verdict and proxy score is reward hacking under <paramref name="thresholds"/>.</summary>
    bool IsHacking(GoldScore verdict, float proxy, HackingThresholds thresholds);
}
