namespace Eppo.Console.Tests;

/// <summary>`eppo run watch` in a real terminal (tmux, 120×40): the live panel shows progress, metrics, chart and stage times.</summary>
[Collection(ConsoleSiloCollection.Name)]
public sealed class LiveViewTests(ConsoleSiloFixture silo)
{
    [Fact]
    public async Task Watch_in_a_terminal_shows_live_progress_and_ends_when_the_run_stops()
    {
        Tmux.Require();
        var started = await silo.EppoAsync("run", "start", "--config", silo.LongSpecPath());
        CliAssert.Succeeded(started);
        var runId = started.Stdout.Trim();

        using var tmux = new Tmux();
        tmux.Start(EppoCli.ShellCommand(["run", "watch", runId, .. silo.Cluster]), width: 120, height: 40);
        // Iteration ≥ 2 means at least two points in the energy chart and stage times from a finished iteration.
        var screen = await tmux.WaitForScreenAsync(s => s.Contains("energy loss ΔE_RL") && s.Contains("seconds per stage") && s.Contains("ETA"),
            TimeSpan.FromMinutes(3));

        Assert.Contains($"eppo run watch {runId}", screen);
        Assert.Matches(@"iteration \d+ of 400", screen);
        Assert.Matches(@"of 400  [━─]{40} ", screen); // the progress bar, 40 cells
        Assert.Matches(@"ETA \d\d:\d\d:\d\d", screen);
        foreach (var text in new[] { "Running", "proxy reward", "KL", "hacking alarm", "energy loss ΔE_RL", "generate", "learn" })
            Assert.Contains(text, screen);
        Assert.DoesNotContain("[exit", screen); // still following

        CliAssert.Succeeded(await silo.EppoAsync("run", "stop", runId));
        var final = await tmux.WaitForScreenAsync(s => s.Contains("[exit"), TimeSpan.FromSeconds(60));
        Assert.Contains("[exit 0]", final);
        Assert.Contains("Stopped", final);
        Assert.DoesNotContain("error", final);
    }

    [Fact]
    public async Task Ctrl_c_ends_the_watch_not_the_run()
    {
        Tmux.Require();
        var started = await silo.EppoAsync("run", "start", "--config", silo.LongSpecPath());
        CliAssert.Succeeded(started);
        var runId = started.Stdout.Trim();

        using var tmux = new Tmux();
        tmux.Start(EppoCli.ShellCommand(["run", "watch", runId, .. silo.Cluster]), width: 120, height: 40);
        await tmux.WaitForScreenAsync(s => s.Contains($"eppo run watch {runId}"), TimeSpan.FromMinutes(2));
        tmux.SendKeys("C-c");
        var screen = await tmux.WaitForScreenAsync(s => s.Contains("[exit"), TimeSpan.FromSeconds(30));

        Assert.Contains("[exit 0]", screen);
        Assert.Contains($"stopped watching; run {runId} goes on", screen.Replace("\n", "")); // the line may wrap at 120 columns
        var status = await silo.StatusAsync(runId);
        Assert.Contains(status.GetProperty("state").GetString(), new[] { "Running", "Pausing", "Paused" });
        CliAssert.Succeeded(await silo.EppoAsync("run", "stop", runId));
    }
}
