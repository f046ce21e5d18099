using System.Globalization;
using System.Text;
using System.Text.Json;
using Eppo.Core.Evaluation;
using ScottPlot;

namespace Eppo.Experiments;

/// <summary>
/// The report of `eppo study` (<see cref="JudgedStudy"/>) in the paper's layout: Table 1 (EPPO against SFT and each competitor, win / tie / lose
/// by the judge), every method against SFT, Figure 5 (win rate against SFT at each checkpoint), Observation 1 (energy
/// loss of the rollouts over training) and Observation 2 (the energy rise over SFT of hacking answers — judged worse
/// than SFT's while the proxy scored them better — against the rest). Written as study.md, study.json and two PNGs.
/// </summary>
public static class JudgedStudyReport
{
    public const string MarkdownFile = "study.md", JsonFile = "study.json", WinRateFile = "win_rate_vs_sft.png", EnergyFile = "energy_loss.png";

    static string F(double value, string format = "F3") => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Shares (%) of all judged prompts pooled, and the count without a verdict.</summary>
    static string Wtl(IEnumerable<JudgedComparison.Result> results)
    {
        var pooled = WinTieLose.Pool(results.Select(r => r.Counts));
        string P(double share) => F(100 * share, "F1");
        return $"{P(pooled.WinShare)} | {P(pooled.TieShare)} | {P(pooled.LoseShare)} | {pooled.NoVerdict}";
    }

    public static string Write(JudgedStudy.Result study, string command, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var md = new StringBuilder();
        md.AppendLine($"# EPPO on {study.Task}: the study").AppendLine();
        md.AppendLine($"Command: `{command}`. Judge: {study.Judge}. Seeds: {string.Join(", ", study.Seeds)}. {F(study.Seconds / 60, "F1")} minutes.").AppendLine();
        md.AppendLine("Shares are of all judged prompts, pooled over seeds; *no verdict* counts pairs the judge gave no well-formed verdict on.").AppendLine();

        md.AppendLine("## Table 1: EPPO against each (win / tie / lose, %)").AppendLine();
        md.AppendLine("| EPPO vs | win | tie | lose | no verdict |").AppendLine("|---|---:|---:|---:|---:|");
        var eppo = study.Runs.Where(r => r.Method == JudgedStudy.Eppo).ToList();
        if (eppo.Count > 0) md.AppendLine($"| SFT | {Wtl(eppo.Select(r => r.VsSft))} |");
        foreach (var method in study.Methods.Where(m => m != JudgedStudy.Eppo))
        {
            var vs = study.Runs.Where(r => r.Method == method && r.VsEppo is not null).Select(r => r.VsEppo!).ToList();
            if (vs.Count > 0) md.AppendLine($"| {method} | {Wtl(vs)} |");
        }
        md.AppendLine().AppendLine("## Every method against SFT (win / tie / lose, %)").AppendLine();
        md.AppendLine("| method | win | tie | lose | no verdict |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var method in study.Methods) md.AppendLine($"| {method} | {Wtl(study.Runs.Where(r => r.Method == method).Select(r => r.VsSft))} |");

        md.AppendLine().AppendLine($"## Figure 5: win rate against SFT during training ({WinRateFile})").AppendLine();
        md.AppendLine("| method | " + string.Join(" | ", Iterations(study).Select(i => $"iteration {i}")) + " |");
        md.AppendLine("|---|" + string.Concat(Iterations(study).Select(_ => "---:|")));
        foreach (var method in study.Methods)
            md.AppendLine($"| {method} | " + string.Join(" | ", Iterations(study).Select(i => F(MeanWinRate(study, method, i)))) + " |");

        md.AppendLine().AppendLine($"## Observation 1: energy loss of the rollouts over training ({EnergyFile})").AppendLine();
        md.AppendLine("| method | ΔE_RL first iteration | ΔE_RL last iteration | rise | ΔE_SFT (mean) |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var method in study.Methods)
        {
            var runs = study.Runs.Where(r => r.Method == method && r.History.Count > 0).ToList();
            var firstE = runs.Select(r => r.History[0].EnergyRl).DefaultIfEmpty(double.NaN).Average();
            var lastE = runs.Select(r => r.History[^1].EnergyRl).DefaultIfEmpty(double.NaN).Average();
            var sftE = runs.SelectMany(r => r.History).Select(h => h.EnergySft).DefaultIfEmpty(double.NaN).Average();
            md.AppendLine($"| {method} | {F(firstE)} | {F(lastE)} | {F(lastE - firstE)} | {F(sftE)} |");
        }

        md.AppendLine().AppendLine("## Observation 2: energy of hacking answers").AppendLine();
        md.AppendLine("An answer hacks when the judge prefers SFT's answer while the proxy scored it higher. Energy rise = its ΔE minus SFT's ΔE on the same prompt.").AppendLine();
        md.AppendLine("| method | hacking answers | energy rise, hacking | energy rise, others | AUROC (rise flags hacking) |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var method in study.Methods.Append("all"))
        {
            var answers = study.Answers.Where(a => method == "all" || a.Method == method).ToList();
            var hacking = answers.Where(a => a.Hacking).Select(a => a.Energy - a.SftEnergy).ToList();
            var others = answers.Where(a => !a.Hacking).Select(a => a.Energy - a.SftEnergy).ToList();
            var auroc = hacking.Count > 0 && others.Count > 0
                ? Auroc.Compute([.. hacking.Concat(others).Select(v => (float)v)], [.. hacking.Select(_ => true).Concat(others.Select(_ => false))])
                : double.NaN;
            md.AppendLine($"| {method} | {hacking.Count} of {answers.Count} | {F(hacking.DefaultIfEmpty(double.NaN).Average())} | {F(others.DefaultIfEmpty(double.NaN).Average())} | {F(auroc)} |");
        }

        File.WriteAllText(Path.Combine(outDir, MarkdownFile), md.ToString());
        File.WriteAllText(Path.Combine(outDir, JsonFile), JsonSerializer.Serialize(new
        {
            command, study.Judge, study.Seeds, study.Methods, study.Seconds,
            Runs = study.Runs.Select(r => new
            {
                r.Method, r.Seed, VsSft = Counts(r.VsSft), VsEppo = r.VsEppo is null ? null : Counts(r.VsEppo),
                WinRate = r.WinRateCurve.Select(p => new { p.Iteration, WinRate = double.IsFinite(p.WinRate) ? p.WinRate : (double?)null }),
                Energy = r.History.Select(h => new { h.Iteration, h.EnergyRl, h.EnergySft, h.ProxyReward }),
            }),
            Answers = study.Answers.Select(a => new { a.Method, a.Seed, Outcome = a.Outcome.ToString(), a.Energy, a.SftEnergy, a.Proxy, a.SftProxy, a.Hacking }),
        }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        Plots(study, outDir);
        return Path.Combine(outDir, MarkdownFile);
    }

    static object Counts(JudgedComparison.Result r) => new { Prompts = r.Counts.Pairs, r.Counts.Win, r.Counts.Tie, r.Counts.Lose, r.Counts.NoVerdict };

    static IReadOnlyList<int> Iterations(JudgedStudy.Result study) => study.Runs.SelectMany(r => r.WinRateCurve.Select(p => p.Iteration)).Distinct().Order().ToList();

    static double MeanWinRate(JudgedStudy.Result study, string method, int iteration) => study.Runs.Where(r => r.Method == method)
        .SelectMany(r => r.WinRateCurve.Where(p => p.Iteration == iteration && double.IsFinite(p.WinRate)).Select(p => p.WinRate))
        .DefaultIfEmpty(double.NaN).Average();

    static void Plots(JudgedStudy.Result study, string outDir)
    {
        var colors = new ScottPlot.Palettes.Category10();
        void Save(string file, string title, string y, Action<Plot, string, Color> draw)
        {
            using var plot = new Plot();
            for (var i = 0; i < study.Methods.Count; i++) draw(plot, study.Methods[i], colors.GetColor(i));
            plot.Title(title);
            plot.XLabel("iteration");
            plot.YLabel(y);
            plot.ShowLegend(Edge.Right);
            plot.SavePng(Path.Combine(outDir, file), 900, 540);
        }
        void Line(Plot plot, double[] xs, double[] ys, string label, Color color)
        {
            var keep = xs.Zip(ys).Where(p => double.IsFinite(p.Second)).ToArray();
            if (keep.Length == 0) return;
            var line = plot.Add.Scatter(keep.Select(p => p.First).ToArray(), keep.Select(p => p.Second).ToArray(), color);
            line.LegendText = label;
            line.LineWidth = 2;
        }
        Save(WinRateFile, "Win rate against SFT during training (Figure 5)", "win rate vs SFT (win + ½ tie)", (plot, method, color) =>
        {
            var its = Iterations(study).ToArray();
            Line(plot, its.Select(i => (double)i).ToArray(), its.Select(i => MeanWinRate(study, method, i)).ToArray(), method, color);
        });
        Save(EnergyFile, "Energy loss of the rollouts (ΔE_RL)", "energy loss", (plot, method, color) =>
        {
            var run = study.Runs.FirstOrDefault(r => r.Method == method);
            if (run is null) return;
            Line(plot, run.History.Select(h => (double)h.Iteration).ToArray(), run.History.Select(h => h.EnergyRl).ToArray(), method, color);
        });
    }
}
