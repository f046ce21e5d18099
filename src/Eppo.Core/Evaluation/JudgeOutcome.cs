namespace Eppo.Core.Evaluation;

/// <summary>
/// One comparison from the evaluated policy's side: its response is better, as good, or worse than the opponent's;
/// or the judge gave no verdict in the expected form (counted apart, never as a tie). Counted in <see cref="WinTieLose"/>.
/// </summary>
public enum JudgeOutcome
{
    Win,
    Tie,
    Lose,
    NoVerdict,
}
