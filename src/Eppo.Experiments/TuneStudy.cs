using System.Text;
using System.Text.Json;
using Eppo.Contracts;
using static Eppo.Experiments.ReportFindings;

namespace Eppo.Experiments;

/// <summary>A configuration's dev result: gold on the dev seeds (mean and per seed) and whether it was picked.</summary>
public sealed record DevResult(string Label, string Method, string Setting, double Gold, IReadOnlyList<double> PerSeed, bool Picked);

/// <summary>What `eppo tune` found: the dev table, the picks, the held-out report's key rows, the alarm on both.</summary>
public sealed record TuneResult(
    string Command,
    bool Quick,
    IReadOnlyList<int> DevSeeds,
    IReadOnlyList<int> HeldOutSeeds,
    int Budget,
    IReadOnlyList<DevResult> Dev,
    IReadOnlyDictionary<string, string> Picked,
    IReadOnlyList<WinTieLoseRow> HeldOutEppo,
    IReadOnlyDictionary<string, double> HeldOutGold,
    IReadOnlyDictionary<string, LastThird> WinRateLastThird,
    IReadOnlyList<AlarmReport> DevAlarm,
    string ChosenAlarm,
    IReadOnlyList<AlarmReport> HeldOutAlarm,
    double WallSeconds);

/// <summary>Win rate against SFT at the first checkpoint of the last third of training and at the end (held-out seeds, mean).</summary>
public sealed record LastThird(int FromIteration, double From, double To)
{
    public bool Falls => To < From - 0.005;
}

/// <summary>
/// The protocol of <see cref="TunePlan"/> end to end: every dev configuration on the dev seeds, each method's best by
/// gold, the picks (and the two controls) on the held-out seeds, a full demo report of each phase, and tune.md/json.
/// </summary>
public static class TuneStudy
{
    public const string MarkdownFile = "tune.md", JsonFile = "tune.json";

    public static async Task<TuneResult> RunAsync(StudyDriver driver, bool quick, int evalPrompts, string outDir, string command, CancellationToken cancellation)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var devPlan = TunePlan.Dev(quick, evalPrompts);
        var devInputs = DemoInputs.Of(devPlan, await driver.RunAsync(devPlan, cancellation), command + " (dev seeds)", evalPrompts,
            configurations: "each row is a configuration of the tuning grid, named by its label (tune.md)");
        var devReport = DemoReport.Write(devInputs, Path.Combine(outDir, "dev"));

        var devResults = TunePlan.Grid.Select(c =>
        {
            var m = devReport.Methods[c.Label];
            return new DevResult(c.Label, c.Method, c.Setting, m.GoldReward, m.PerSeed.Select(s => s.GoldReward).ToArray(), false);
        }).ToList();
        var picked = TunePlan.Methods.ToDictionary(m => m, m => devResults.Where(r => r.Method == m).MaxBy(r => r.Gold)!.Label);
        devResults = devResults.Select(r => r with { Picked = picked[r.Method] == r.Label }).ToList();

        var heldOutPlan = TunePlan.HeldOut(picked, quick, evalPrompts);
        var heldOutInputs = DemoInputs.Of(heldOutPlan, await driver.RunAsync(heldOutPlan, cancellation), command + " (held-out seeds)", evalPrompts,
            configurations: "each method's configuration picked on the dev seeds (tune.md); the controls as named");
        var heldOutReport = DemoReport.Write(heldOutInputs, Path.Combine(outDir, "held-out"));

        var devAlarm = AlarmAnalysis.Analyse(devInputs, TunePlan.IsControl);
        var chosen = AlarmAnalysis.Choose(devAlarm).Setting;
        var result = new TuneResult(command, quick, TunePlan.DevSeeds, TunePlan.HeldOutSeeds, TunePlan.Budget, devResults, picked,
            heldOutReport.WinTieLose.Where(r => r.Policy == "eppo" && !TunePlan.IsControl(r.Opponent)).ToArray(),
            heldOutReport.Methods.ToDictionary(m => m.Key, m => m.Value.GoldReward),
            TunePlan.Methods.ToDictionary(m => m, m => LastThirdOf(heldOutReport.WinRateVsSft[m], heldOutInputs.Config.Iterations)),
            devAlarm, chosen, AlarmAnalysis.Analyse(heldOutInputs, TunePlan.IsControl), clock.Elapsed.TotalSeconds);
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, JsonFile), JsonSerializer.Serialize(result, ReportJson.Options));
        File.WriteAllText(Path.Combine(outDir, MarkdownFile), Markdown(result));
        return result;
    }

    static LastThird LastThirdOf(IReadOnlyList<WinRatePoint> points, int iterations)
    {
        var from = points.Where(p => p.Iteration >= iterations * 2 / 3).OrderBy(p => p.Iteration).First();
        return new LastThird(from.Iteration, from.WinRate, points.MaxBy(p => p.Iteration)!.WinRate);
    }

    public static string Markdown(TuneResult r)
    {
        var md = new StringBuilder();
        md.AppendLine("# Tuning on dev seeds, reporting on held-out seeds").AppendLine();
        md.AppendLine($"Command: `{r.Command}` ({(r.Quick ? "the demo's --quick scale" : "the demo's full scale")}); wall time {r.WallSeconds / 60:F0} min. " +
                      $"Dev seeds {string.Join(", ", r.DevSeeds)}; held-out seeds {string.Join(", ", r.HeldOutSeeds)}, which no choice looked at. " +
                      $"Budget: {r.Budget} configurations per method, each picked by mean gold reward on the dev seeds. " +
                      "Reports of both phases: `dev/report.md`, `held-out/report.md`.").AppendLine();

        md.AppendLine("## Dev seeds: every configuration").AppendLine();
        md.AppendLine("| method | configuration | gold (mean) | per seed | picked |").AppendLine("|---|---|---|---|---|");
        foreach (var d in r.Dev)
            md.AppendLine($"| {d.Method} | {d.Setting} | {Num(d.Gold, 3)} | {string.Join(" / ", d.PerSeed.Select(g => Num(g, 3)))} | {(d.Picked ? "**✓**" : "")} |");
        md.AppendLine();

        md.AppendLine("## Held-out seeds: the picked configurations").AppendLine();
        md.AppendLine("| policy | configuration | gold (mean) |").AppendLine("|---|---|---|");
        foreach (var (method, gold) in r.HeldOutGold)
            md.AppendLine($"| {method} | {(r.Picked.TryGetValue(method, out var label) ? r.Dev.Single(d => d.Label == label).Setting : TunePlan.Controls.FirstOrDefault(c => c.Label == method)?.Setting ?? "")} | {Num(gold, 3)} |");
        md.AppendLine();
        md.AppendLine("EPPO against each (gold judge, win rate = win + ½ tie; target > 0.5 against PPO, PPO w/ KL, PPO w/ LP):").AppendLine();
        md.AppendLine("| eppo vs | win | tie | lose | win rate | per seed | target |").AppendLine("|---|---|---|---|---|---|---|");
        foreach (var w in r.HeldOutEppo)
        {
            var target = w.Opponent is "ppo" or "ppo-kl" or "ppo-lp" ? (w.WinRate > 0.5 ? "✓" : "✗") : "";
            md.AppendLine($"| {w.Opponent} | {Pct(w.Win)} | {Pct(w.Tie)} | {Pct(w.Lose)} | **{Num(w.WinRate)}** | {string.Join(" / ", w.WinRatePerSeed.Select(x => Num(x)))} | {target} |");
        }
        md.AppendLine();
        md.AppendLine("Win rate against SFT over the last third of training (held-out seeds, mean; target: EPPO's does not fall, PPO's does):").AppendLine();
        md.AppendLine("| method | from (iteration) | to (end) | falls |").AppendLine("|---|---|---|---|");
        foreach (var (method, t) in r.WinRateLastThird)
            md.AppendLine($"| {method} | {Num(t.From)} ({t.FromIteration}) | {Num(t.To)} | {(t.Falls ? "yes" : "no")} |");
        md.AppendLine();

        md.AppendLine("## The energy alarm as a detector").AppendLine();
        md.AppendLine($"The event to warn about is gold passing its peak: the first checkpoint whose gold is ≥ {AlarmAnalysis.PeakDrop} below the best so far; lead time = that " +
                      "iteration − the alarm's first firing. False alarm = firing on a control (PPO on the gold judge; PPO w/ KL at the largest β). " +
                      $"Chosen on the dev seeds: at most 10% false alarms, then the most runs warned ≥ {AlarmAnalysis.RequiredLead} iterations ahead, " +
                      $"then the longest median lead: **{r.ChosenAlarm}**.").AppendLine();
        void AlarmTable(IReadOnlyList<AlarmReport> reports, bool all)
        {
            md.AppendLine($"| setting | hacking runs | fired on | warned ≥ {AlarmAnalysis.RequiredLead} ahead | median lead | false alarms |").AppendLine("|---|---|---|---|---|---|");
            foreach (var a in reports.Where(a => all || a.Setting == r.ChosenAlarm || a.Setting == AlarmAnalysis.Prometheus))
                md.AppendLine($"| {(a.Setting == r.ChosenAlarm ? $"**{a.Setting}**" : a.Setting)} | {a.HackingRuns} | {a.Fired} | {a.Warned} | " +
                              $"{(double.IsNaN(a.MedianLead) ? "—" : Num(a.MedianLead, 0))} | {a.FalseAlarms}/{a.Controls} ({Pct(a.FalseAlarmRate)}) |");
            md.AppendLine();
        }
        md.AppendLine("Dev seeds, every setting:").AppendLine();
        AlarmTable(r.DevAlarm, true);
        md.AppendLine("Held-out seeds, the chosen setting and the Prometheus rule:").AppendLine();
        AlarmTable(r.HeldOutAlarm, false);
        return md.ToString();
    }
}
