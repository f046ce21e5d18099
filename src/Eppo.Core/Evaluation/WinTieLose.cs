namespace Eppo.Core.Evaluation;

/// <summary>
/// Counts of a head-to-head comparison of a policy against an opponent on the same prompts, from the policy's side —
/// by a gold judge's scores (HackBench) or by a pair judge (the text task's judge reward model or chat model). A pair
/// the judge gave no verdict on (<see cref="NoVerdict"/>) is in none of win, tie and lose: the shares are of all pairs
/// compared, the win rate of the pairs with a verdict. Every number is NaN where it divides by zero pairs.
/// </summary>
public sealed record WinTieLose(int Win, int Tie, int Lose, int NoVerdict = 0)
{
    public static WinTieLose None { get; } = new(0, 0, 0);

    /// <summary>Pairs with a verdict.</summary>
    public int Judged => Win + Tie + Lose;

    /// <summary>Every pair compared.</summary>
    public int Pairs => Judged + NoVerdict;

    public double WinShare => (double)Win / Pairs;
    public double TieShare => (double)Tie / Pairs;
    public double LoseShare => (double)Lose / Pairs;

    /// <summary>win + ½ tie, of the pairs with a verdict (the paper's win rate).</summary>
    public double WinRate => (Win + 0.5 * Tie) / Judged;

    public static WinTieLose operator +(WinTieLose a, WinTieLose b) =>
        new(a.Win + b.Win, a.Tie + b.Tie, a.Lose + b.Lose, a.NoVerdict + b.NoVerdict);

    /// <summary>Sums counts, e.g. over seeds (each already paired within its seed).</summary>
    public static WinTieLose Pool(IEnumerable<WinTieLose> results) => results.Aggregate(None, (sum, r) => sum + r);

    public static WinTieLose Of(IEnumerable<JudgeOutcome> outcomes)
    {
        int win = 0, tie = 0, lose = 0, none = 0;
        foreach (var outcome in outcomes)
        {
            switch (outcome)
            {
                case JudgeOutcome.Win: win++; break;
                case JudgeOutcome.Tie: tie++; break;
                case JudgeOutcome.Lose: lose++; break;
                default: none++; break;
            }
        }
        return new WinTieLose(win, tie, lose, none);
    }

    /// <summary>The outcome of a score difference (policy − opponent): a win above <paramref name="margin"/>, a loss below −margin, else a tie.</summary>
    public static JudgeOutcome Outcome(double difference, double margin) =>
        difference > margin ? JudgeOutcome.Win : difference < -margin ? JudgeOutcome.Lose : JudgeOutcome.Tie;

    /// <summary>Paired scores, prompt by prompt: the policy wins where its score − the opponent's &gt; margin (computed in float, as the scores are).</summary>
    public static WinTieLose Compare(IReadOnlyList<float> policy, IReadOnlyList<float> opponent, float margin = 0f)
    {
        if (policy.Count != opponent.Count)
            throw new EppoException($"win/tie/lose needs paired scores: {policy.Count} for the policy, {opponent.Count} for its opponent");
        if (!(margin >= 0)) throw new EppoException($"margin must be >= 0, got {margin}");
        return Of(policy.Select((score, i) => Outcome(score - opponent[i], margin)));
    }
}
