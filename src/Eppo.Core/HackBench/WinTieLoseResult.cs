namespace Eppo.Core.HackBench;

/// <summary>Counts of a head-to-head comparison of A against B on the same prompts.</summary>
public sealed record WinTieLoseResult(int Wins, int Ties, int Losses)
{
    public int Count => Wins + Ties + Losses;
    public double WinFraction => (double)Wins / Count;
    public double TieFraction => (double)Ties / Count;
    public double LoseFraction => (double)Losses / Count;

    /// <summary>win + 0.5 · tie (NaN with no pairs).</summary>
    public double WinRate => (Wins + 0.5 * Ties) / Count;
}
