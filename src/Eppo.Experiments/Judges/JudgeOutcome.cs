namespace Eppo.Experiments.Judges;

/// <summary>
/// One comparison from the evaluated policy's side: its response is better, as good, or worse than the baseline's;
/// or the judge gave no verdict in the expected form (counted apart, never as a tie).
/// </summary>
public enum JudgeOutcome
{
    Win,
    Tie,
    Lose,
    NoVerdict,
}
