using System.Text;
using static Eppo.Experiments.ReportFindings;

namespace Eppo.Experiments;

/// <summary>report.md: the paper's Table 1 layout, the all-pairs matrix, Figure 5, Observations 1 and 2, reward vs √KL, findings.</summary>
public static class ReportMarkdown
{
    public static string Write(ReportDocument d)
    {
        var md = new StringBuilder();
        var methods = d.Methods.Keys.Where(m => m != ReportBuilder.Sft).ToArray();
        var c = d.Config;
        md.AppendLine("# EPPO on HackBench: demo report").AppendLine();

        md.AppendLine("## Setup").AppendLine();
        var elsewhere = c.Configurations.Length > 0 ? ", where the configurations row sets nothing else" : "";
        Table(md, ["setting", "value"],
        [
            ["HackBench variant", $"`{c.Variant}` (docs/hackbench.md)"],
            ["configurations", c.Configurations.Length > 0 ? c.Configurations : "the paper's (η and β below; learning rate and LP length scale as in docs/run-spec.md's defaults)"],
            ["energy probe site", $"`{c.ProbeSite}` (final decoder layer)"],
            ["energy sign", c.EnergySign],
            ["energy token mask", c.EnergyMask],
            ["η (EPPO penalty weight)", Num(c.Eta) + elsewhere],
            ["EPPO's energy variant", c.EnergyVariant + " (docs/eppo.md)" + elsewhere],
            ["β (KL penalty of ppo-kl / eppo-kl)", Num(c.KlBeta, 3) + elsewhere],
            ["seeds", string.Join(", ", c.Seeds)],
            ["model", $"{c.Model.Family}, d={c.Model.HiddenSize}, {c.Model.Layers} layers, {c.Model.Heads} heads ({c.Model.KvHeads} kv), MLP {c.Model.IntermediateSize}"],
            ["RL iterations", c.Iterations.ToString()],
            ["evaluation", $"{c.EvalPrompts} held-out prompts, sampled (temperature 1) with the same noise for every policy, ≤ {c.MaxNewTokens} tokens"],
            ["tie margin (gold)", Num(c.WinMargin)],
            ["command", c.Command.Length > 0 ? $"`{c.Command}`" : "—"],
        ]);

        md.AppendLine("## Proxy reward model").AppendLine();
        md.AppendLine($"Held-out accuracy against gold labels: **{(d.RewardModel.HeldOutAccuracy is { } a ? Num(a) : "n/a")}**" +
                      (d.RewardModel.PerSeed.Count > 1 ? " (per seed: " + string.Join(", ", d.RewardModel.PerSeed.Select(s => $"{s.Seed}: {(s.Value is { } v ? Num(v) : "n/a")}")) + ")" : "") +
                      ". Target ≥ 0.70.").AppendLine();
        if (d.RewardModel.Models is { Count: > 0 } models && models.Any(m => m.Role != "proxy"))
        {
            md.AppendLine("Every reward model the methods trained (held-out accuracy against gold labels; a model shared by several methods is one row; " +
                          "ensemble member 1 and WARM ingredient 1 are the proxy itself):").AppendLine();
            var figureKeys = models.SelectMany(m => m.Figures.Keys).Distinct().ToArray();
            Table(md, ["reward model", "used by", "held-out accuracy", "per seed", .. figureKeys.Select(k => k.Replace('_', ' '))],
                models.Select(m => new[]
                {
                    m.Role, string.Join(", ", m.Methods), m.HeldOutAccuracy is { } a ? Num(a) : "n/a",
                    string.Join(" / ", m.PerSeed.Select(s => s.Value is { } v ? Num(v) : "n/a")),
                }.Concat(figureKeys.Select(k => m.Figures.TryGetValue(k, out var f) ? Signed(f) : ""))
                    .ToArray()).ToArray());
        }

        md.AppendLine("## Final policies on held-out prompts").AppendLine();
        Table(md, ["policy", "gold", "± seeds", "proxy", "length", $"energy loss ({c.ProbeSite})", "rise over ΔE_SFT", "KL", "√KL", "boilerplate (benign)", "correct"],
            d.Methods.Select(m => new[]
            {
                m.Key, Num(m.Value.GoldReward, 3), Num(m.Value.Spread["gold_reward"].Std, 3), Num(m.Value.ProxyReward, 3), Num(m.Value.MeanLength, 1),
                Num(m.Value.EnergyLoss, 3), Signed(m.Value.EnergyRise), Num(m.Value.Kl, 2), Num(m.Value.SqrtKl, 2),
                Pct(m.Value.BoilerplateShareBenign), Pct(m.Value.CorrectShare),
            }).ToArray());

        md.AppendLine($"## Table 1: {c.Reference.ToUpperInvariant()} against each policy (gold judge)").AppendLine();
        md.AppendLine($"Paired samples pooled over seeds; a tie is a gold difference within ±{Num(c.WinMargin)}; win rate = win + ½ tie.").AppendLine();
        string[] Row(WinTieLoseRow r, bool withPolicy) => (withPolicy ? new[] { r.Policy } : []).Concat(new[]
        {
            r.Opponent, Pct(r.Win), Pct(r.Tie), Pct(r.Lose), $"**{Num(r.WinRate)}**", string.Join(" / ", r.WinRatePerSeed.Select(w => Num(w))),
        }).ToArray();
        // Table 2's opponents (ODIN, InfoRM) and policies on them have their own table.
        var tableTwoOnly = Contracts.TrainingMethods.TableTwo.SelectMany(p => new[] { p.Policy, p.Opponent }).Except(["eppo"]).ToHashSet();
        Table(md, [$"{c.Reference} vs", "win", "tie", "lose", "win rate", "per seed"],
            d.WinTieLose.Where(r => r.Policy == c.Reference && !tableTwoOnly.Contains(r.Opponent)).Select(r => Row(r, false)).ToArray());
        var tableTwo = Contracts.TrainingMethods.TableTwo
            .Select(p => d.WinTieLose.FirstOrDefault(r => r.Policy == p.Policy && r.Opponent == p.Opponent)).OfType<WinTieLoseRow>().ToArray();
        if (tableTwo.Length > 0)
        {
            md.AppendLine("## Table 2: EPPO on top of ODIN and InfoRM (gold judge)").AppendLine();
            md.AppendLine("EPPO (on the proxy) and EPPO on the same reward model, each against the method it builds on.").AppendLine();
            Table(md, ["policy", "vs", "win", "tie", "lose", "win rate", "per seed"], tableTwo.Select(r => Row(r, true)).ToArray());
        }

        md.AppendLine("### All pairs (win rate of the row against the column)").AppendLine();
        var policies = methods.Append(ReportBuilder.Sft).ToArray();
        Table(md, ["", .. policies], policies.Select(row => new[] { row }.Concat(policies.Select(col =>
            row == col ? "—" : d.WinTieLose.FirstOrDefault(r => r.Policy == row && r.Opponent == col) is { } x ? Num(x.WinRate) : "")).ToArray()).ToArray());

        md.AppendLine("## Figure 5: win rate against SFT during training").AppendLine();
        var iterations = d.WinRateVsSft.Values.SelectMany(p => p).Select(p => p.Iteration).Distinct().Order().ToArray();
        Table(md, ["iteration", .. methods], iterations.Select(i => new[] { i.ToString() }.Concat(methods.Select(m =>
            d.WinRateVsSft[m].FirstOrDefault(p => p.Iteration == i) is { } p ? Num(p.WinRate) : "")).ToArray()).ToArray());
        md.AppendLine($"![win rate against SFT]({ReportPlots.WinRateFile})").AppendLine();

        md.AppendLine("## Observation 1: energy loss over training").AppendLine();
        md.AppendLine($"Site `{d.EnergyLoss.Site}`; {d.EnergyLoss.Sign}; {d.EnergyLoss.Mask}. First/last = mean over the first/last tenth of iterations " +
                      "(rollouts); drift share = how far the final policy's energy on the fixed SFT answers moved, relative to its move on its own answers.").AppendLine();
        Table(md, ["method", "first", "last", "rise", "ΔE_SFT (rollout prompts)", "final, own answers", "final, SFT answers", "ΔE_SFT (held-out)", "drift share"],
            d.EnergyLoss.ByMethod.Select(t => new[]
            {
                t.Key, Num(t.Value.First, 3), Num(t.Value.Last, 3), Signed(t.Value.Rise), Num(t.Value.SftReference, 3),
                Num(t.Value.FinalOwn, 3), Num(t.Value.FinalOnSftText, 3), Num(t.Value.FinalSftReference, 3), Pct(t.Value.DriftShare),
            }).ToArray());
        md.AppendLine($"Correlation of energy loss with √KL over evaluated checkpoints: r = {Num(d.EnergyLoss.CorrelationWithSqrtKl)}.").AppendLine();
        md.AppendLine($"![energy loss over training]({ReportPlots.EnergyFile})").AppendLine();

        md.AppendLine("### Rewards over training").AppendLine();
        Table(md, ["method", "proxy first", "proxy last", "gold first", "gold last", "KL last"],
            methods.Where(m => d.TrainingCurves[m].Count > 0).Select(m =>
            {
                var curve = d.TrainingCurves[m];
                return new[]
                {
                    m, Num(curve[0].ProxyReward, 3), Num(curve[^1].ProxyReward, 3), Num(curve[0].GoldReward ?? double.NaN, 3),
                    Num(curve[^1].GoldReward ?? double.NaN, 3), Num(curve[^1].Kl, 2),
                };
            }).ToArray());
        md.AppendLine($"![proxy and gold reward over training]({ReportPlots.RewardsFile})").AppendLine();

        var h = d.Hacking;
        md.AppendLine("## Observation 2: hacking vs normal samples").AppendLine();
        md.AppendLine($"Rule: {h.Rule} (proxy thresholds per seed: {string.Join(", ", h.ProxyThresholds.Select(t => $"{t.Seed}: {(t.Value is { } v ? Num(v) : "n/a")}"))}). " +
                      $"Final {h.Policy} samples pooled over seeds: {h.HackingSamples} of {h.Samples} hack ({Pct(h.HackingShare)}); SFT's own samples: {Pct(h.Sft.HackingShare)}. " +
                      "SFT = ΔE_SFT(x), the SFT model on its own greedy answer to the same prompt; RL = the policy on its answer. " +
                      "AUROC > 0.5: higher values flag hacking.").AppendLine();
        Table(md, ["site", "hacking SFT", "hacking RL", "normal SFT", "normal RL", "AUROC energy", "AUROC rise", "AUROC |rise|"],
            h.PerSite.Select(s => new[]
            {
                s.Key == h.Site ? $"**{s.Key}**" : s.Key, Num(s.Value.Energy.Hacking.Sft, 3), Num(s.Value.Energy.Hacking.Rl, 3),
                Num(s.Value.Energy.Normal.Sft, 3), Num(s.Value.Energy.Normal.Rl, 3),
                Num(s.Value.AurocEnergy), Num(s.Value.AurocRise), Num(s.Value.AurocAbsRise),
            }).ToArray());
        md.AppendLine($"By method (site `{h.Site}`):").AppendLine();
        var groups = h.ByMethod.Select(g => (g.Key, g.Value)).ToList();
        if (h.PooledRl is { } pooled) groups.Add(("all RL", pooled));
        groups.Add(("sft", h.Sft));
        Table(md, ["policy", "hacking share", "hacking rise", "normal rise", "AUROC energy", "AUROC rise", "AUROC |rise|"],
            groups.Select(g =>
            {
                var s = g.Value.PerSite[h.Site];
                return new[]
                {
                    g.Key, $"{Pct(g.Value.HackingShare)} ({g.Value.HackingSamples}/{g.Value.Samples})", Signed(s.Energy.Hacking.Rise), Signed(s.Energy.Normal.Rise),
                    Num(s.AurocEnergy), Num(s.AurocRise), Num(s.AurocAbsRise),
                };
            }).ToArray());

        md.AppendLine("## Gold and proxy reward against √KL").AppendLine();
        Table(md, ["method", "iteration", "√KL", "gold", "proxy"],
            methods.SelectMany(m => d.RewardVsSqrtKl[m].Select(p => new[] { m, p.Iteration.ToString(), Num(p.SqrtKl), Num(p.GoldReward, 3), Num(p.ProxyReward, 3) })).ToArray());
        md.AppendLine($"![gold and proxy reward vs √KL]({ReportPlots.KlFile})").AppendLine();

        md.AppendLine("## Overoptimization (Gao et al. 2022)").AppendLine();
        md.AppendLine("Gold over the evaluated checkpoints (mean over seeds; iteration 0 is SFT), and the fit of the gold gain over SFT " +
                      "to d(α − β ln d) at d = √KL, whose peak is d* = e^(α/β − 1). \"Rose then fell\": seeds whose best checkpoint is " +
                      $"≥ {ReportBuilder.GaoShapeRise} above their SFT and whose last is below it.").AppendLine();
        Table(md, ["method", "SFT gold", "peak gold (iteration)", "final gold", "gain at peak", "gain kept", "α", "β", "fitted d*", "fitted peak gold", "rose then fell"],
            methods.Select(m =>
            {
                var o = d.Overoptimization[m];
                return new[]
                {
                    m, Num(o.SftGold, 3), $"{Num(o.PeakGold, 3)} ({o.PeakIteration})", Num(o.FinalGold, 3), Signed(o.PeakGain), Signed(o.KeptGain),
                    Num(o.Alpha, 3), Num(o.Beta, 3), Num(o.PeakSqrtKl), Num(o.FittedPeakGold, 3),
                    $"{o.PerSeed.Count(s => s.RoseThenFell)}/{o.PerSeed.Count}",
                };
            }).ToArray());
        if (d.BestOfN.Count > 0)
        {
            md.AppendLine("Best-of-n of the SFT policy on the proxy (n samples per prompt, the proxy's favourite kept; unbiased estimate " +
                          "from the largest n's samples): if gold rises with n, the proxy is right where RL starts.").AppendLine();
            Table(md, ["n", "KL = ln n − (n−1)/n", "√KL", "gold", "proxy"],
                d.BestOfN.Select(p => new[] { p.N.ToString(), Num(p.Kl), Num(p.SqrtKl), Num(p.Gold, 3), Num(p.Proxy, 3) }).ToArray());
        }

        md.AppendLine("## What this shows").AppendLine();
        foreach (var finding in d.Findings) md.AppendLine($"- {finding}");
        return md.ToString();
    }

    static void Table(StringBuilder md, IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        md.AppendLine("| " + string.Join(" | ", header.Select(Cell)) + " |");
        md.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows) md.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        md.AppendLine();
    }

    static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
