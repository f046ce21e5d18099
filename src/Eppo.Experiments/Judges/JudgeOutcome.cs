namespace Eppo.Experiments.Judges;

/// <summary>One comparison from the evaluated policy's side: its response is better, as good, or worse than the baseline's.</summary>
public enum JudgeOutcome
{
    Win,
    Tie,
    Lose,
}
