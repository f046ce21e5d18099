using Eppo.Core;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Eppo.Cli;

/// <summary>
/// Follows a run until it ends or pauses: a live panel in a terminal (progress, ETA, rewards, KL, an energy-loss
/// chart, the hacking alarm, time per stage), one plain line per iteration when output is redirected. The statuses
/// come pushed by the run (<see cref="RunWaiter"/>); the chart's iterations are kept here (<see cref="RecentIterations"/>).
/// </summary>
public static class RunWatch
{
    public static async Task<int> FollowAsync(IClusterClient client, string runId, CancellationToken cancellation)
    {
        try
        {
            return await FollowUntilSettledAsync(client, runId, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Ctrl+C ends the watch, not the run.
            Console.Error.WriteLine($"stopped watching; run {runId} goes on (`eppo run watch {runId}` follows it again)");
            return ExitCodes.Ok;
        }
    }

    static async Task<int> FollowUntilSettledAsync(IClusterClient client, string runId, CancellationToken cancellation)
    {
        var status = await client.GetGrain<IRunGrain>(runId).GetStatusAsync() ?? throw new EppoException($"run '{runId}': no such run (see `eppo run list`)");
        var started = DateTimeOffset.UtcNow;
        var startIteration = status.Iteration;
        var waiter = new RunWaiter(client);

        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            var printed = -1;
            void Print(RunStatus s)
            {
                if (s.Iteration == printed) return;
                Console.WriteLine(PlainLine(s));
                printed = s.Iteration;
            }
            Print(status);
            if (!status.State.IsSettled()) status = await waiter.UntilAsync(runId, s => s.State.IsSettled(), Print, cancellation: cancellation);
            Print(status);
            Console.WriteLine($"{status.RunId}: {status.State}{(status.Reason is { } r ? $" ({r})" : "")}");
            return Outcome(status);
        }

        var recent = new RecentIterations(status.History);
        await AnsiConsole.Live(Render(status, started, startIteration)).AutoClear(false).StartAsync(async live =>
        {
            while (!status.State.IsSettled())
            {
                // A push that skips iterations (one was lost) ends this wait: the full status it returns refills the chart.
                status = await waiter.UntilAsync(runId, s => s.State.IsSettled() || recent.Misses(s),
                    s => live.UpdateTarget(Render(recent.With(s), started, startIteration)), cancellation: cancellation);
                recent = new RecentIterations(status.History);
                live.UpdateTarget(Render(status, started, startIteration));
            }
        });
        return Outcome(status);
    }

    static int Outcome(RunStatus s) => s.State == RunState.Failed ? ExitCodes.Failure : ExitCodes.Ok;

    public static string PlainLine(RunStatus s)
    {
        var m = s.Latest;
        var metrics = m is null ? "" :
            $" proxy={m.ProxyReward:F3} shaped={m.ShapedReward:F3}{(m.GoldReward is { } g ? $" gold={g:F3}" : "")} " +
            $"kl={m.Kl:F4} dE_rl={m.EnergyRl:F4} dE_sft={m.EnergySft:F4} len={m.ResponseLength:F1}";
        return $"{s.RunId} [{s.State}] {s.Stage} iteration {s.Iteration}/{s.TotalIterations}{metrics}{(s.HackingAlarm ? " reward-hacking-alarm" : "")}";
    }

    public static IRenderable Render(RunStatus s, DateTimeOffset started, int startIteration)
    {
        var fraction = s.TotalIterations == 0 ? 0 : Math.Clamp((double)s.Iteration / s.TotalIterations, 0, 1);
        var eta = Eta(s, DateTimeOffset.UtcNow - started, s.Iteration - startIteration);
        var progress = new Markup($"iteration [bold]{s.Iteration}[/] of {s.TotalIterations}  {ProgressBar(fraction, 40)} {fraction:P0}" +
                                  (s.State.IsTerminal() || s.State == RunState.Paused ? "" : eta is { } e ? $"  ETA {e:hh\\:mm\\:ss}" : "  ETA …"));

        var rows = new List<IRenderable> { StatusView.Table(s), progress };
        if (s.History.Count > 1) rows.Add(EnergyChart(s.History));
        if (s.HackingAlarm)
            rows.Add(new Markup($"[white on red] reward-hacking alarm [/] energy loss departs from the SFT reference" +
                                (s.Latest is { } a ? $" for {a.HackingAlarmShare:P0} of responses" : "")));
        if (s.Latest is { } m)
            rows.Add(new BarChart().Width(60).Label("seconds per stage (last iteration)")
                .AddItem("generate", Math.Round(m.GenerateSeconds, 3), Color.Green)
                .AddItem("score", Math.Round(m.ScoreSeconds, 3), Color.Yellow)
                .AddItem("energy ref", Math.Round(m.EnergyReferenceSeconds, 3), Color.Blue)
                .AddItem("learn", Math.Round(m.LearnSeconds, 3), Color.Red));
        return new Panel(new Rows(rows)).Header($"eppo run watch {Markup.Escape(s.RunId)}").Border(BoxBorder.Rounded);
    }

    /// <summary>Remaining iterations × the mean time of the recent ones (works when attaching mid-run), else the rate seen while watching.</summary>
    public static TimeSpan? Eta(RunStatus s, TimeSpan watched, int doneWhileWatching)
    {
        var left = Math.Max(0, s.TotalIterations - s.Iteration);
        var recent = s.History.TakeLast(10).Select(h => h.IterationSeconds).Where(x => x > 0).ToArray();
        if (recent.Length > 0) return TimeSpan.FromSeconds(recent.Average() * left);
        return doneWhileWatching > 0 ? TimeSpan.FromSeconds(watched.TotalSeconds / doneWhileWatching * left) : null;
    }

    /// <summary>A text bar ("━━━━╺────"), which renders the same in every terminal width.</summary>
    public static string ProgressBar(double fraction, int width)
    {
        var filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width);
        return $"[green]{new string('━', filled)}[/][grey]{new string('─', width - filled)}[/]";
    }

    /// <summary>Energy loss over iterations as a block sparkline, with the SFT reference's mean for comparison.</summary>
    static IRenderable EnergyChart(IReadOnlyList<IterationMetrics> history)
    {
        const string blocks = "▁▂▃▄▅▆▇█";
        var values = history.TakeLast(60).Select(h => h.EnergyRl).ToArray();
        double lo = values.Min(), hi = values.Max();
        var line = new string(values.Select(v => blocks[hi - lo < 1e-12 ? 0 : (int)Math.Round((v - lo) / (hi - lo) * (blocks.Length - 1))]).ToArray());
        var sft = history[^1].EnergySft;
        return new Markup($"energy loss ΔE_RL [green]{line}[/]  ({lo:F4} … {hi:F4}; SFT reference {sft:F4})");
    }
}
