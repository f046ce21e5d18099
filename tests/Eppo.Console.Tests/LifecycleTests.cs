using System.Text.Json;

namespace Eppo.Console.Tests;

/// <summary>pause → paused → pause again (a no-op) → resume → stop, each through the CLI, with JSON on stdout and notes on stderr.</summary>
[Collection(ConsoleSiloCollection.Name)]
public sealed class LifecycleTests(ConsoleSiloFixture silo)
{
    static string State(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement.GetProperty("state").GetString()!;

    [Fact]
    public async Task Pause_resume_stop_and_the_no_op_messages()
    {
        var started = await silo.EppoAsync("run", "start", "--config", silo.LongSpecPath());
        CliAssert.Succeeded(started);
        var runId = started.Stdout.Trim();
        await silo.WaitForStateAsync(runId, "Running", TimeSpan.FromMinutes(3), s => s.Iteration >= 1);

        var pause = await silo.EppoAsync("run", "pause", runId, "--json");
        CliAssert.Succeeded(pause);
        Assert.Contains(State(pause), new[] { "Pausing", "Paused" });
        var paused = await silo.WaitForStateAsync(runId, "Paused", TimeSpan.FromSeconds(60));

        var again = await silo.EppoAsync("run", "pause", runId, "--json");
        CliAssert.Succeeded(again);
        Assert.Equal("Paused", State(again)); // stdout is still pure JSON
        Assert.Equal($"run {runId} is already paused: nothing to do", again.Stderr.Trim());
        Assert.Equal(paused.GetProperty("iteration").GetInt32(), (await silo.StatusAsync(runId)).GetProperty("iteration").GetInt32());

        var resume = await silo.EppoAsync("run", "resume", runId, "--json");
        CliAssert.Succeeded(resume);
        Assert.Equal("Running", State(resume));
        var resumeAgain = await silo.EppoAsync("run", "resume", runId);
        CliAssert.Succeeded(resumeAgain);
        Assert.Contains("already running: nothing to do", resumeAgain.Stderr);

        var stop = await silo.EppoAsync("run", "stop", runId, "--json");
        CliAssert.Succeeded(stop);
        Assert.Contains(State(stop), new[] { "Stopping", "Stopped" });
        await silo.WaitForStateAsync(runId, "Stopped", TimeSpan.FromSeconds(60));
        var stopAgain = await silo.EppoAsync("run", "stop", runId);
        CliAssert.Succeeded(stopAgain);
        Assert.Contains("already stopped: nothing to do", stopAgain.Stderr);

        // Pausing a stopped run is refused by the grain: a user error across the wire, still one line.
        CliAssert.OneLineError(await silo.EppoAsync("run", "pause", runId), CliAssert.UserError, runId, "Stopped");
    }
}
