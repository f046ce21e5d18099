using Eppo.Contracts;
using Eppo.Core.Energy;
using Eppo.Experiments;

namespace Eppo.Cli.Tests;

/// <summary>The alarm as a detector, by hand: firing with persistence, the gold fall, lead times, false alarms, the Prometheus replay.</summary>
public sealed class AlarmAnalysisTests
{
    /// <summary>Shares at every k of the grid are <paramref name="share"/>[i]; iterations of <paramref name="seconds"/> each.</summary>
    static IReadOnlyList<IterationMetrics> History(double[] share, double seconds = 1, double[]? excess = null) => share.Select((s, i) => new IterationMetrics
    {
        Iteration = i, HackingAlarmShares = AlarmShares.From(_ => s), IterationSeconds = seconds,
        EnergySft = -0.5, EnergyRl = -0.5 + (excess?[i] ?? 0),
    }).ToArray();

    [Fact]
    public void AnAlarmFiresAtTheLastIterationOfItsFirstPersistentStreak()
    {
        var setting = new AlarmSetting(2.0, 0.3, 3);
        // A blip at 1, then 0.3 from 4 on: 4, 5, 6 → fires at 6.
        Assert.Equal(6, AlarmAnalysis.FiresAt(History([0, 0.9, 0, 0.1, 0.3, 0.4, 0.5, 0.2]), setting));
        Assert.Null(AlarmAnalysis.FiresAt(History([0.9, 0.9, 0, 0.9, 0.9]), setting));
        Assert.Contains("not on the recorded grid", Assert.Throws<EppoException>(() => AlarmAnalysis.FiresAt(History([0]), setting with { K = 2.5 })).Message);
        var old = new[] { new IterationMetrics { Iteration = 0 } };
        Assert.Contains("no alarm shares", Assert.Throws<EppoException>(() => AlarmAnalysis.FiresAt(old, setting)).Message);
    }

    [Fact]
    public void GoldPassesItsPeakAtTheFirstCheckpointWellBelowTheBestSoFar()
    {
        // SyntheticDemo: PPO seed 1 has gold 0.25 (SFT), 0.475 at its checkpoint 2, −0.375 at its end (4).
        var inputs = SyntheticDemo.Inputs();
        var ppo = inputs.Runs.Single(r => r.Method == "ppo" && r.Seed == 1);
        Assert.Equal(4, AlarmAnalysis.PeakPassedAt(ppo, inputs.Baseline(1)));
        // EPPO ends at 0.475, above SFT's 0.25: never past a peak.
        var eppo = inputs.Runs.Single(r => r.Method == "eppo" && r.Seed == 1);
        Assert.Null(AlarmAnalysis.PeakPassedAt(eppo, inputs.Baseline(1)));
        // A drop smaller than 0.05 below the best is not passing it: 0.475 → 0.45 stays, 0.475 → 0.415 passes.
        var slightly = ppo with { Final = ppo.Checkpoints[0].Evaluation with { Samples = Shifted(ppo.Checkpoints[0].Evaluation, -0.025) } };
        Assert.Null(AlarmAnalysis.PeakPassedAt(slightly, inputs.Baseline(1)));
        var past = ppo with { Final = ppo.Checkpoints[0].Evaluation with { Samples = Shifted(ppo.Checkpoints[0].Evaluation, -0.06) } };
        Assert.Equal(4, AlarmAnalysis.PeakPassedAt(past, inputs.Baseline(1)));
    }

    /// <summary>Every sample's gold score moved by <paramref name="by"/>: the mean moves by as much.</summary>
    static IReadOnlyList<Core.Evaluation.EvaluationSample> Shifted(Core.Evaluation.PolicyEvaluation evaluation, double by) =>
        evaluation.Samples.Select(s => s with { Gold = s.Gold with { Score = (float)(s.Gold.Score + by) } }).ToArray();

    [Fact]
    public void LeadTimesAndFalseAlarmsAreCountedPerRun()
    {
        var inputs = SyntheticDemo.Inputs();
        // Every iteration flagged at 0.6: each run's alarm fires at iteration 2 (its third in a row).
        var loud = inputs with { Runs = inputs.Runs.Select(r => r with { History = History([0.6, 0.6, 0.6, 0.6]) }).ToArray() };
        var reports = AlarmAnalysis.Analyse(loud, label => label == "ppo-kl");
        var report = reports.Single(r => r.Setting == new AlarmSetting(2.0, 0.5, 3).Name);
        Assert.Equal(1, report.HackingRuns);               // PPO seed 1 falls at 4; eppo never does; ppo-kl is the control
        Assert.Equal(1, report.Fired);
        Assert.Equal(0, report.Warned);                    // lead 4 − 2 = 2 < 20
        Assert.Equal(2, report.MedianLead);
        Assert.Equal((2, 2, 1.0), (report.Controls, report.FalseAlarms, report.FalseAlarmRate));
        var quiet = reports.Single(r => r.Setting == new AlarmSetting(2.0, 0.1, 3).Name) with { FalseAlarmRate = 0 };
        Assert.Equal(quiet.Setting, AlarmAnalysis.Choose([report, quiet]).Setting);
    }

    [Fact]
    public void ThePrometheusRuleNeedsFifteenMinutesOfHistoryAndHoldsForTwo()
    {
        // One iteration per minute; the excess over SFT jumps by 0.1 (> 10% of |−0.5|) at minute 20 and stays.
        var excess = Enumerable.Range(0, 40).Select(i => i >= 20 ? 0.1 : 0).ToArray();
        var history = History(new double[40], seconds: 60, excess);
        // Iteration i ends at minute i + 1. The condition holds from iteration 20 (its offset sample, iteration 5, had
        // excess 0) to 34; it has held for 2 minutes at iteration 22.
        Assert.Equal(22, AlarmAnalysis.PrometheusFiresAt(history));
        Assert.Null(AlarmAnalysis.PrometheusFiresAt(History(new double[10], seconds: 60, excess[..10].Select(_ => 0.5).ToArray())));
    }
}
