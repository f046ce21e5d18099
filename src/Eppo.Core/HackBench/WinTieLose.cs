namespace Eppo.Core.HackBench;

/// <summary>Head-to-head comparison of two policies' gold scores on the same prompts.</summary>
public static class WinTieLose
{
    /// <summary>A wins where goldA − goldB &gt; margin, loses where it is &lt; −margin, ties otherwise.</summary>
    public static WinTieLoseResult Compare(IReadOnlyList<float> goldA, IReadOnlyList<float> goldB, float margin = 0f)
    {
        if (goldA.Count != goldB.Count)
            throw new EppoException($"win/tie/lose needs paired scores: {goldA.Count} for A, {goldB.Count} for B");
        if (!(margin >= 0)) throw new EppoException($"margin must be >= 0, got {margin}");
        int wins = 0, ties = 0, losses = 0;
        for (var i = 0; i < goldA.Count; i++)
        {
            var d = goldA[i] - goldB[i];
            if (d > margin) wins++;
            else if (d < -margin) losses++;
            else ties++;
        }
        return new WinTieLoseResult(wins, ties, losses);
    }
}
