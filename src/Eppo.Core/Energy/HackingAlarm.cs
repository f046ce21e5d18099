using Eppo.Core.Evaluation;

namespace Eppo.Core.Energy;

/// <summary>
/// The reward-hacking alarm on energy loss (Observation 2 of the EPPO paper: hacking responses show an excessive rise).
/// A response is flagged when its energy ΔE_RL departs from the SFT reference ΔE_SFT of the same prompt by more than
/// k standard deviations, σ being the spread of the batch's ΔE_SFT values; the alarm is raised when the flagged share
/// reaches the threshold. Observation 1 says energy rises under every method, so the rule looks at the departure
/// from the reference, never at the raw level.
/// </summary>
public static class HackingAlarm
{
    public const double DefaultK = 2.0;
    public const double DefaultThreshold = 0.5;
    /// <summary>The k values every iteration records a share for (IterationMetrics.HackingAlarmShares), the default among them.</summary>
    public static IReadOnlyList<double> KGrid => Contracts.AlarmShares.Grid;
    /// <summary>Keeps σ positive when every SFT energy in the batch is equal (one prompt, greedy decoding).</summary>
    public const double SigmaFloor = 1e-6;

    /// <summary>Share in [0, 1] of responses with |ΔE_RL − ΔE_SFT| &gt; k·max(σ(ΔE_SFT), 1e-6); σ is the population std.</summary>
    public static double Share(ReadOnlySpan<float> energyRl, ReadOnlySpan<float> energySft, double k = DefaultK)
    {
        if (energyRl.Length != energySft.Length)
            throw new EppoException($"hacking alarm: {energyRl.Length} RL energies but {energySft.Length} SFT references (one per response)");
        if (energyRl.IsEmpty) throw new EppoException("hacking alarm: the batch has no responses");
        if (!double.IsFinite(k) || k <= 0) throw new EppoException($"hacking alarm: k must be a finite number > 0 (got {k})");
        RequireFinite(energyRl, "ΔE_RL");
        RequireFinite(energySft, "ΔE_SFT");

        var limit = k * Math.Max(Stats.PopulationStd(energySft), SigmaFloor);
        var flagged = 0;
        for (var i = 0; i < energyRl.Length; i++)
            if (Math.Abs((double)energyRl[i] - energySft[i]) > limit) flagged++;
        return (double)flagged / energyRl.Length;
    }

    /// <summary>True when the flagged share reaches the threshold (share ≥ threshold); threshold in (0, 1].</summary>
    public static bool Raised(double share, double threshold = DefaultThreshold)
    {
        if (!double.IsFinite(threshold) || threshold <= 0 || threshold > 1)
            throw new EppoException($"hacking alarm: threshold must be in (0, 1] (got {threshold})");
        if (!double.IsFinite(share) || share < 0 || share > 1)
            throw new EppoException($"hacking alarm: share must be in [0, 1] (got {share})");
        return share >= threshold;
    }

    private static void RequireFinite(ReadOnlySpan<float> values, string what)
    {
        for (var i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) throw new EppoException($"hacking alarm: {what}[{i}] is {values[i]} (must be finite)");
    }
}
