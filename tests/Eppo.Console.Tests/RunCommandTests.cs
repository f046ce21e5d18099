using System.Text.Json;
using System.Text.RegularExpressions;

namespace Eppo.Console.Tests;

/// <summary>Each run command end to end against a real silo: parse → grain call → output.</summary>
[Collection(ConsoleSiloCollection.Name)]
public sealed partial class RunCommandTests(ConsoleSiloFixture silo)
{
    [GeneratedRegex(@"^smoke-name-\d{8}-\d{6}-[0-9a-f]{4}$")]
    private static partial Regex NamedRunId();

    [Fact]
    public async Task Start_prints_only_the_run_id_and_name_overrides_the_spec()
    {
        var result = await silo.EppoAsync("run", "start", "--config", silo.TinySpecPath, "--name", "smoke-name");

        CliAssert.Succeeded(result);
        var runId = result.Stdout.TrimEnd('\n');
        Assert.Matches(NamedRunId(), runId);
        var status = await silo.StatusAsync(runId);
        Assert.Equal("smoke-name", status.GetProperty("name").GetString());
        CliAssert.Succeeded(await silo.EppoAsync("run", "stop", runId));
    }

    [Fact]
    public async Task Status_json_parses_and_names_the_run()
    {
        var runId = await silo.CompletedTinyRunAsync();
        var result = await silo.EppoAsync("run", "status", runId, "--json");

        CliAssert.Succeeded(result);
        Assert.Equal("", result.Stderr);
        var status = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(runId, status.GetProperty("run_id").GetString());
        Assert.Equal("tiny", status.GetProperty("name").GetString());
        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.Equal(4, status.GetProperty("iteration").GetInt32());
        Assert.Equal(4, status.GetProperty("total_iterations").GetInt32());
        Assert.True(status.GetProperty("latest").GetProperty("energy_rl").GetDouble() > 0);
        Assert.Equal(4, status.GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task Status_table_shows_state_metrics_and_alarm()
    {
        var runId = await silo.CompletedTinyRunAsync();
        var result = await silo.EppoAsync("run", "status", runId);

        CliAssert.Succeeded(result);
        foreach (var text in new[] { runId, "Completed", "4 / 4", "proxy reward", "KL", "energy loss", "hacking alarm" })
            Assert.Contains(text, result.Stdout);
    }

    [Fact]
    public async Task List_json_parses_and_contains_the_run()
    {
        var runId = await silo.CompletedTinyRunAsync();
        var result = await silo.EppoAsync("run", "list", "--json");

        CliAssert.Succeeded(result);
        Assert.Equal("", result.Stderr);
        var runs = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToArray();
        var tiny = Assert.Single(runs, r => r.GetProperty("run_id").GetString() == runId);
        Assert.Equal("Completed", tiny.GetProperty("state").GetString());
        Assert.Equal("eppo", tiny.GetProperty("method").GetString());

        var table = await silo.EppoAsync("run", "list");
        CliAssert.Succeeded(table);
        Assert.Contains("Completed", table.Stdout);
    }

    [Fact]
    public async Task Watch_on_a_finished_run_exits_0_with_redirected_output()
    {
        var runId = await silo.CompletedTinyRunAsync();
        var result = await silo.EppoAsync("run", "watch", runId);

        CliAssert.Succeeded(result);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("iteration 4/4", lines[0]);
        Assert.Contains("dE_rl=", lines[0]);
        Assert.Equal($"{runId}: Completed", lines[^1]);
        Assert.DoesNotContain("\u001b[", result.Stdout, StringComparison.Ordinal); // no ANSI escapes when redirected
    }

    [Fact]
    public async Task Start_with_watch_follows_the_run_to_its_end_in_plain_lines()
    {
        await silo.CompletedTinyRunAsync(); // models cached: this run takes seconds
        var result = await silo.EppoAsync("run", "start", "--config", silo.TinySpecPath, "--name", "watched", "--watch");

        CliAssert.Succeeded(result);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("watched-", lines[0]);
        Assert.Contains(lines, l => l.Contains("iteration 4/4"));
        Assert.Equal($"{lines[0]}: Completed", lines[^1]);
    }

    [Fact]
    public async Task Unknown_run_id_says_so()
    {
        foreach (var command in new[] { "status", "pause", "resume", "stop", "watch" })
            CliAssert.OneLineError(await silo.EppoAsync("run", command, "no-such-run-123"), CliAssert.UserError, "no-such-run-123", "no such run");
    }

    [Fact]
    public async Task Another_service_id_is_refused_in_one_line()
    {
        var args = new[] { "run", "list", "--gateway-port", $"{silo.GatewayPort}", "--cluster-id", silo.ClusterId, "--service-id", "other" };
        CliAssert.OneLineError(await EppoCli.RunAsync(args), CliAssert.UserError, "'other'", $"--service-id {ConsoleSiloFixture.ServiceId}");
    }

    [Fact]
    public async Task Another_cluster_id_fails_within_the_connect_timeout()
    {
        var started = DateTime.UtcNow;
        var result = await EppoCli.RunAsync("run", "list", "--gateway-port", $"{silo.GatewayPort}", "--cluster-id", "other", "--connect-timeout", "2");

        CliAssert.OneLineError(result, CliAssert.ClusterUnreachable, "--cluster-id", "'other'");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the client must give up, not hang");
    }
}
