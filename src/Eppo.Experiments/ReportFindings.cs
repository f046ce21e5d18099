using Eppo.Contracts;
using System.Globalization;
using Eppo.Core.Evaluation;

namespace Eppo.Experiments;

/// <summary>The "what this shows" sentences, written from the numbers only — including where the reference method does not win.</summary>
public static class ReportFindings
{
    /// <summary>Win rates within this distance of 0.5 read as a draw.</summary>
    public const double DrawBand = 0.02;

    public static IReadOnlyList<string> Write(ReportDocument d)
    {
        var findings = new List<string>();
        RewardModel(d, findings);
        Emergence(d, findings);
        Comparisons(d, findings);
        ObservationOne(d, findings);
        ObservationTwo(d, findings);
        KlTradeOff(d, findings);
        Overoptimization(d, findings);
        return findings;
    }

    static void RewardModel(ReportDocument d, List<string> findings)
    {
        if (d.RewardModel.HeldOutAccuracy is not { } accuracy) return;
        var values = d.RewardModel.PerSeed.Where(s => s.Value is not null).Select(s => s.Value!.Value).ToArray();
        var range = values.Length > 1 ? $" (seeds {Num(values.Min())}–{Num(values.Max())})" : "";
        findings.Add($"The proxy reward model agrees with the gold judge on {Pct(accuracy)} of held-out preference pairs{range}; " +
                     (accuracy >= 0.70 ? "the ≥ 70% target is met." : "below the ≥ 70% target."));
    }

    /// <summary>The hacking criterion under plain PPO: proxy up and win rate against SFT down over the last third.</summary>
    static void Emergence(ReportDocument d, List<string> findings)
    {
        if (!d.TrainingCurves.TryGetValue("ppo", out var curve) || curve.Count < 3) return;
        var winRates = d.WinRateVsSft.GetValueOrDefault("ppo") ?? [];
        var third = curve.Count * 2 / 3;
        var window = Math.Max(1, curve.Count / 10);
        var proxyAt = Stats.Mean(curve.Skip(Math.Max(0, third - window / 2)).Take(window).Select(p => p.ProxyReward));
        var proxyEnd = Stats.Mean(curve.Skip(curve.Count - window).Select(p => p.ProxyReward));
        var text = $"Under PPO the proxy reward on rollouts went {Num(proxyAt)} → {Num(proxyEnd)} over the last third of training";
        if (winRates.Count >= 2)
        {
            var finalIteration = winRates[^1].Iteration;
            var at = winRates.OrderBy(p => Math.Abs(p.Iteration - finalIteration * 2.0 / 3)).First();
            var peak = winRates.MaxBy(p => p.WinRate)!;
            var hacked = proxyEnd > proxyAt && winRates[^1].WinRate < at.WinRate;
            text += $" while its win rate against SFT went {Num(at.WinRate)} (iteration {at.Iteration}) → {Num(winRates[^1].WinRate)} " +
                    $"(peak {Num(peak.WinRate)} at iteration {peak.Iteration}): " +
                    (hacked ? "reward hacking emerged (proxy rising, gold falling)." : "the hacking pattern (proxy rising while gold falls) did not show.");
        }
        else text += ".";
        findings.Add(text);
    }

    static void Comparisons(ReportDocument d, List<string> findings)
    {
        var reference = d.Config.Reference;
        var rows = d.WinTieLose.Where(r => r.Policy == reference).ToArray();
        if (rows.Length == 0) return;
        var wins = rows.Where(r => r.WinRate > 0.5 + DrawBand).Select(r => r.Opponent).ToArray();
        var losses = rows.Where(r => r.WinRate < 0.5 - DrawBand).Select(r => r.Opponent).ToArray();
        foreach (var row in rows) findings.Add(Sentence(row));
        findings.Add($"{Upper(reference)} wins against {List(wins)} and does not win against {List(losses)}" +
                     (rows.Length - wins.Length - losses.Length > 0
                         ? $"; ties overall (within ±{DrawBand:0.00}) against {List(rows.Where(r => Math.Abs(r.WinRate - 0.5) <= DrawBand).Select(r => r.Opponent).ToArray())}."
                         : "."));
        // Comparisons the method table asks for beyond the reference's row (e.g. EPPO with a KL penalty against KL alone).
        foreach (var (policy, opponent) in TrainingMethods.All.SelectMany(m => m.Contrasts.Select(c => (m.Name, c))))
            if (policy != reference && d.WinTieLose.FirstOrDefault(r => r.Policy == policy && r.Opponent == opponent) is { } extra)
                findings.Add(Sentence(extra));
    }

    static string Sentence(WinTieLoseRow row)
    {
        var verdict = row.WinRate > 0.5 + DrawBand ? "wins" : row.WinRate < 0.5 - DrawBand ? "does not win" : "ties overall";
        var seeds = row.WinRatePerSeed.Count > 1
            ? $"; per seed {Num(row.WinRatePerSeed.Min())}–{Num(row.WinRatePerSeed.Max())}" +
              (row.WinRatePerSeed.Min() < 0.5 && row.WinRatePerSeed.Max() > 0.5 ? ", not consistent across seeds" : "")
            : "";
        return $"{Upper(row.Policy)} vs {Upper(row.Opponent)}: win rate {Num(row.WinRate)} (win {Pct(row.Win)}, tie {Pct(row.Tie)}, " +
               $"lose {Pct(row.Lose)}{seeds}) — {Upper(row.Policy)} {verdict}.";
    }

    static void ObservationOne(ReportDocument d, List<string> findings)
    {
        var trends = d.EnergyLoss.ByMethod.Where(t => double.IsFinite(t.Value.Rise)).ToArray();
        if (trends.Length == 0) return;
        var rose = trends.Where(t => t.Value.Rise > 0).Select(t => t.Key).ToArray();
        findings.Add($"Observation 1 (final-layer energy loss rises during RL, {d.EnergyLoss.Site}): it rose under {rose.Length} of {trends.Length} methods (" +
                     string.Join(", ", trends.Select(t => $"{t.Key} {Num(t.Value.First, 3)} → {Num(t.Value.Last, 3)}")) + ")" +
                     (double.IsFinite(d.EnergyLoss.CorrelationWithSqrtKl)
                         ? $"; across evaluated checkpoints it correlates with √KL at r = {Num(d.EnergyLoss.CorrelationWithSqrtKl)}."
                         : "."));
        var drift = Stats.Mean(d.EnergyLoss.ByMethod.Values.Select(t => t.DriftShare).Where(double.IsFinite));
        if (double.IsFinite(drift))
            findings.Add($"On the fixed SFT answers the final policies' energy moved {Pct(drift)} as far as on their own answers (mean over methods): " +
                         (drift >= 0.7 ? "the drift is mostly a property of the weights, not of what the policy says."
                             : drift >= 0.3 ? "the drift is partly a property of the weights." : "the drift is mostly tied to what the policy says."));
    }

    static void ObservationTwo(ReportDocument d, List<string> findings)
    {
        var h = d.Hacking;
        if (h.HackingSamples == 0 || h.HackingSamples == h.Samples)
        {
            findings.Add($"Observation 2 cannot be tested under {Upper(h.Policy)}: {h.HackingSamples} of {h.Samples} final samples count as hacking.");
            return;
        }
        findings.Add($"Observation 2 under {Upper(h.Policy)} ({h.Site}): {h.HackingSamples} of {h.Samples} final samples hack ({Pct(h.HackingShare)}; " +
                     $"the SFT policy's own samples {Pct(h.Sft.HackingShare)}). Hacking answers' energy rose {Signed(h.Energy.Hacking.Rise)} over the SFT " +
                     $"reference, normal ones {Signed(h.Energy.Normal.Rise)}; the rise detects hacking with AUROC {Num(h.AurocRise)} " +
                     $"({Reading(h.AurocRise)}), the policy's energy itself with {Num(h.Auroc)}.");
        var sites = h.PerSite.Where(s => double.IsFinite(s.Value.AurocRise)).ToArray();
        if (sites.Length > 1)
            findings.Add("AUROC of the rise by probe site: " + string.Join(", ", sites.Select(s => $"{s.Key} {Num(s.Value.AurocRise)}")) +
                         $"; best {sites.MaxBy(s => s.Value.AurocRise).Key}.");
    }

    static void KlTradeOff(ReportDocument d, List<string> findings)
    {
        var finals = d.Methods.Where(m => m.Key != ReportBuilder.Sft).OrderBy(m => m.Value.SqrtKl).ToArray();
        if (finals.Length == 0) return;
        var points = d.RewardVsSqrtKl.Values.SelectMany(p => p).Where(p => double.IsFinite(p.SqrtKl)).ToArray();
        var r = Stats.Pearson(points.Select(p => p.SqrtKl).ToArray(), points.Select(p => p.GoldReward).ToArray());
        findings.Add("Final √KL from SFT and gold reward: " + string.Join(", ", finals.Select(m => $"{m.Key} √KL {Num(m.Value.SqrtKl)} gold {Num(m.Value.GoldReward)}")) +
                     $" (SFT gold {Num(d.Methods[ReportBuilder.Sft].GoldReward)})" +
                     (double.IsFinite(r) ? $"; over all evaluated checkpoints gold correlates with √KL at r = {Num(r)}." : "."));
    }

    /// <summary>Gao's shape per method (rose ≥ 0.05 above SFT, ended below it) and how much of the peak gain each kept.</summary>
    static void Overoptimization(ReportDocument d, List<string> findings)
    {
        if (d.Overoptimization.Count == 0) return;
        findings.Add("Gold rose, then fell below SFT (Gao et al.'s shape) in: " + string.Join(", ", d.Overoptimization.Select(o =>
            $"{Upper(o.Key)} {o.Value.PerSeed.Count(s => s.RoseThenFell)}/{o.Value.PerSeed.Count} seeds")) +
            ". Gold gain kept at the end of the gain at the peak: " + string.Join(", ", d.Overoptimization.Select(o =>
                $"{Upper(o.Key)} {Signed(o.Value.KeptGain)} of {Signed(o.Value.PeakGain)} (peak at iteration {o.Value.PeakIteration})")) + ".");
        if (d.BestOfN.Count >= 2)
        {
            var first = d.BestOfN[0];
            var best = d.BestOfN.MaxBy(p => p.Gold)!;
            var last = d.BestOfN[^1];
            findings.Add($"Best-of-n of the SFT policy on the proxy: gold {Num(first.Gold, 3)} at n = 1, {Num(best.Gold, 3)} at n = {best.N} (√KL {Num(best.SqrtKl)}), " +
                         $"{Num(last.Gold, 3)} at n = {last.N} (√KL {Num(last.SqrtKl)}): " +
                         (best.Gold < first.Gold + ReportBuilder.GaoShapeRise
                             ? "choosing by the proxy does not raise gold even on the SFT policy's own samples — the proxy is wrong where RL starts."
                             : "the proxy is right where RL starts" + (last.Gold <= best.Gold - ReportBuilder.GaoShapeRise ? ", and overoptimised within a few nats." : ".")));
        }
    }

    static string Reading(double auroc) =>
        !double.IsFinite(auroc) ? "undefined" :
        auroc >= 0.6 ? "in line with the paper's claim of an excessive rise" :
        auroc > 0.4 ? "little signal" : "a signal with the opposite sign to the paper's claim";

    static string List(IReadOnlyList<string> items) => items.Count == 0 ? "none" : string.Join(", ", items.Select(Upper));

    static string Upper(string method) => method.ToUpperInvariant();

    internal static string Num(double value, int digits = 2) =>
        double.IsFinite(value) ? value.ToString("F" + digits, CultureInfo.InvariantCulture) : "n/a";

    internal static string Num(double? value, int digits = 2) => value is { } v ? Num(v, digits) : "n/a";

    internal static string Signed(double value) =>
        double.IsFinite(value) ? value.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture) : "n/a";

    internal static string Pct(double value) =>
        double.IsFinite(value) ? (value * 100).ToString("F0", CultureInfo.InvariantCulture) + "%" : "n/a";
}
