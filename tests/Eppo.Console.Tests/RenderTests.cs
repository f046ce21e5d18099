using Eppo.Cli;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Eppo.Console.Tests;

/// <summary>The live panel rendered in-process to text: what it shows for a run with history and an alarm.</summary>
public sealed class RenderTests
{
    static IterationMetrics Metrics(int i) => new()
    {
        Iteration = i, ProxyReward = 0.1 * i, ShapedReward = 0.1 * i - 0.01, GoldReward = -0.5, EnergyRl = 0.01 + 0.002 * i,
        EnergySft = 0.005, Kl = 0.001 * i, HackingAlarmShare = 0.4, GenerateSeconds = 0.8, ScoreSeconds = 0.3,
        EnergyReferenceSeconds = 0.4, LearnSeconds = 0.5, IterationSeconds = 2.0,
    };

    static RunStatus Status(int iteration, int total, bool alarm) => new()
    {
        RunId = "demo-20261127-120000-ab12", Name = "demo", Method = "eppo", State = RunState.Running, Stage = "learn",
        Iteration = iteration, TotalIterations = total, HackingAlarm = alarm,
        History = Enumerable.Range(0, iteration).Select(Metrics).ToArray(), Latest = iteration > 0 ? Metrics(iteration - 1) : null,
    };

    static string Text(IRenderable renderable)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 120;
        console.Write(renderable);
        return writer.ToString();
    }

    [Fact]
    public void Panel_shows_progress_eta_metrics_chart_alarm_and_stage_times()
    {
        var text = Text(RunWatch.Render(Status(3, 10, alarm: true), DateTimeOffset.UtcNow, 3));

        Assert.Contains("iteration 3 of 10", text);
        Assert.Contains("ETA 00:00:14", text); // 7 iterations left × 2 s each
        Assert.Contains(new string('━', 12), text); // 30 % of a 40-wide bar
        Assert.Contains("energy loss ΔE_RL ▁", text); // rising energy: the sparkline starts low and ends high
        Assert.Contains("█", text);
        Assert.Contains("reward-hacking alarm", text);
        Assert.Contains("40%", text.Replace(" ", ""));
        foreach (var label in new[] { "generate", "score", "energy ref", "learn", "proxy reward", "KL" }) Assert.Contains(label, text);
    }

    [Fact]
    public void Panel_for_a_run_without_iterations_has_no_chart_or_eta()
    {
        var text = Text(RunWatch.Render(Status(0, 10, alarm: false), DateTimeOffset.UtcNow, 0));

        Assert.Contains("iteration 0 of 10", text);
        Assert.Contains("ETA …", text);
        Assert.DoesNotContain("energy loss ΔE_RL ", text);
        Assert.DoesNotContain("reward-hacking alarm", text);
    }

    [Fact]
    public void Eta_falls_back_to_the_rate_seen_while_watching()
    {
        var noHistory = Status(0, 10, alarm: false) with { Iteration = 4, History = [] };

        Assert.Equal(TimeSpan.FromSeconds(18), RunWatch.Eta(noHistory, TimeSpan.FromSeconds(6), doneWhileWatching: 2)); // 3 s × 6 left
        Assert.Null(RunWatch.Eta(noHistory, TimeSpan.FromSeconds(6), doneWhileWatching: 0));
        Assert.Equal(TimeSpan.FromSeconds(14), RunWatch.Eta(Status(3, 10, alarm: false), TimeSpan.Zero, 0));
    }

    [Fact]
    public void Plain_line_carries_iteration_metrics_and_alarm()
    {
        var line = RunWatch.PlainLine(Status(3, 10, alarm: true));

        Assert.StartsWith("demo-20261127-120000-ab12 [Running] learn iteration 3/10", line);
        Assert.Contains("dE_rl=0.0140", line);
        Assert.EndsWith("reward-hacking-alarm", line);
    }
}
