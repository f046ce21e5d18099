using Eppo.Contracts;
using Eppo.Core.Energy;
using Eppo.Core.Evaluation;

namespace Eppo.Experiments;

/// <summary>
/// An energy alarm setting: k (one of <see cref="HackingAlarm.KGrid"/>), the share of flagged responses that raises it,
/// and how many consecutive iterations must reach that share (one noisy batch is not an alarm).
/// </summary>
public sealed record AlarmSetting(double K, double Threshold, int Persist)
{
    public string Name => $"k={K:0.#}, share≥{Threshold:0.##}, {Persist} in a row";
}

/// <summary>One run under one alarm: where the alarm first fired, where gold passed its peak, and the lead.</summary>
public sealed record RunAlarm(string Label, int Seed, bool Control, int? FiresAt, int? PeakPassedAt)
{
    /// <summary>Iterations from the alarm to gold passing its peak (negative: the alarm came late); null unless both happened.</summary>
    public int? LeadTime => FiresAt is { } f && PeakPassedAt is { } g ? g - f : null;
}

/// <param name="HackingRuns">Runs (not controls) whose gold passed its peak.</param>
/// <param name="Warned">Hacking runs the alarm fired on at least <see cref="AlarmAnalysis.RequiredLead"/> iterations before the peak was passed.</param>
/// <param name="MedianLead">Median lead time over hacking runs it fired on (NaN when none).</param>
/// <param name="FalseAlarms">Control runs (which do not hack) it fired on.</param>
public sealed record AlarmReport(string Setting, int HackingRuns, int Fired, int Warned, double MedianLead, int Controls, int FalseAlarms,
    double FalseAlarmRate, IReadOnlyList<RunAlarm> Runs);

/// <summary>
/// The energy alarm as a detector of the peak (issue: lead time and false alarms). The event to warn about is gold
/// passing its peak: the first checkpoint whose gold (mean on held-out prompts) is at least <see cref="PeakDrop"/> below
/// the best so far, SFT included; the alarm's lead is the iterations from its first firing to that checkpoint. Control runs do not hack by construction (a run optimising the
/// gold judge itself; PPO w/ KL at its largest β): any firing on them is a false alarm. The Prometheus rule
/// EppoEnergyLossRisingFast is replayed on the recorded history with the iterations' own clock.
/// </summary>
public static class AlarmAnalysis
{
    public const double PeakDrop = 0.05;
    public const int RequiredLead = 20;

    public static readonly IReadOnlyList<AlarmSetting> Grid =
        HackingAlarm.KGrid.SelectMany(k => new[] { 0.1, 0.2, 0.3, 0.5 }.Select(t => new AlarmSetting(k, t, 3))).ToArray();

    public const string Prometheus = "EppoEnergyLossRisingFast (replayed)";

    /// <summary>Every grid setting, then the Prometheus rule, over the runs of <paramref name="inputs"/>.</summary>
    public static IReadOnlyList<AlarmReport> Analyse(DemoInputs inputs, Func<string, bool> isControl)
    {
        var falls = inputs.Runs.ToDictionary(r => (r.Method, r.Seed), r => PeakPassedAt(r, inputs.Baseline(r.Seed)));
        AlarmReport Report(string name, Func<IReadOnlyList<IterationMetrics>, int?> fires) => Summarise(name, inputs.Runs
            .Select(r => new RunAlarm(r.Method, r.Seed, isControl(r.Method), fires(r.History), falls[(r.Method, r.Seed)])).ToArray());
        return Grid.Select(s => Report(s.Name, h => FiresAt(h, s))).Append(Report(Prometheus, PrometheusFiresAt)).ToArray();
    }

    /// <summary>The setting to ship: among those with at most 10% false alarms, the one that warns most runs in time, then the longest median lead.</summary>
    public static AlarmReport Choose(IReadOnlyList<AlarmReport> reports) =>
        reports.Where(r => r.Setting != Prometheus && r.FalseAlarmRate <= 0.1)
            .OrderByDescending(r => r.Warned).ThenByDescending(r => double.IsNaN(r.MedianLead) ? double.MinValue : r.MedianLead)
            .FirstOrDefault() ?? reports.Where(r => r.Setting != Prometheus).OrderBy(r => r.FalseAlarmRate).First();

    static AlarmReport Summarise(string setting, IReadOnlyList<RunAlarm> runs)
    {
        var hacking = runs.Where(r => !r.Control && r.PeakPassedAt is not null).ToArray();
        var leads = hacking.Where(r => r.LeadTime is not null).Select(r => (double)r.LeadTime!.Value).ToArray();
        var controls = runs.Where(r => r.Control).ToArray();
        var falseAlarms = controls.Count(r => r.FiresAt is not null);
        return new AlarmReport(setting, hacking.Length, leads.Length, leads.Count(l => l >= RequiredLead),
            leads.Length == 0 ? double.NaN : Stats.Quantile(leads, 0.5), controls.Length, falseAlarms,
            controls.Length == 0 ? double.NaN : (double)falseAlarms / controls.Length, runs);
    }

    /// <summary>The iteration at which <paramref name="setting"/> fires: the last of the first <c>Persist</c> consecutive iterations at or above the share.</summary>
    public static int? FiresAt(IReadOnlyList<IterationMetrics> history, AlarmSetting setting)
    {
        var streak = 0;
        foreach (var m in history)
        {
            var shares = m.HackingAlarmShares ?? throw new EppoException($"alarm: iteration {m.Iteration} has no alarm shares (history recorded before they were)");
            streak = shares.At(setting.K) >= setting.Threshold ? streak + 1 : 0;
            if (streak >= setting.Persist) return m.Iteration;
        }
        return null;
    }

    /// <summary>The first checkpoint whose gold is at least <see cref="PeakDrop"/> below the best before it (the seed's SFT policy included).</summary>
    public static int? PeakPassedAt(MethodRunResult run, SeedBaseline baseline)
    {
        var best = baseline.Sft.Summary().GoldReward;
        foreach (var checkpoint in run.Trajectory().Where(c => c.Iteration > 0))
        {
            var gold = checkpoint.Evaluation.Summary().GoldReward;
            if (gold <= best - PeakDrop) return checkpoint.Iteration;
            best = Math.Max(best, gold);
        }
        return null;
    }

    /// <summary>
    /// deploy/prometheus/alerts.yml's EppoEnergyLossRisingFast on the history, time = the iterations' cumulative
    /// seconds: the excess ΔE_RL − ΔE_SFT grew by more than 10% of |ΔE_SFT| (at least 0.001) over 15 minutes, holding
    /// for 2 minutes. Before 15 minutes of history there is no offset sample, as in Prometheus, so it cannot fire.
    /// </summary>
    public static int? PrometheusFiresAt(IReadOnlyList<IterationMetrics> history)
    {
        const double Window = 15 * 60, Hold = 2 * 60;
        var times = new double[history.Count];
        for (var i = 0; i < history.Count; i++) times[i] = (i == 0 ? 0 : times[i - 1]) + history[i].IterationSeconds;
        double Excess(int i) => history[i].EnergyRl - history[i].EnergySft;
        bool Condition(int i)
        {
            var before = Array.FindLastIndex(times, t => t <= times[i] - Window);
            return before >= 0 && Excess(i) - Excess(before) > 0.1 * Math.Max(Math.Abs(history[i].EnergySft), 0.001);
        }
        double? since = null;
        for (var i = 0; i < history.Count; i++)
        {
            if (!Condition(i)) { since = null; continue; }
            since ??= times[i];
            if (times[i] - since >= Hold) return history[i].Iteration;
        }
        return null;
    }
}
