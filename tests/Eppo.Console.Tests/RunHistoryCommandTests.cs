using System.Text.Json;

namespace Eppo.Console.Tests;

/// <summary>`eppo run history` against a real silo: every iteration, in order, with the checkpoints named.</summary>
[Collection(ConsoleSiloCollection.Name)]
public sealed class RunHistoryCommandTests(ConsoleSiloFixture silo)
{
    [Fact]
    public async Task History_json_has_every_iteration_and_the_checkpoints()
    {
        var runId = await silo.CompletedTinyRunAsync();
        var result = await silo.EppoAsync("run", "history", runId, "--json");

        CliAssert.Succeeded(result);
        var history = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2, 3], history.Select(m => m.GetProperty("iteration").GetInt32()));
        // tiny.json checkpoints every 2 iterations: after iterations 1 and 3.
        var checkpoints = history.Where(m => m.GetProperty("checkpoint").ValueKind == JsonValueKind.String).Select(m => m.GetProperty("iteration").GetInt32());
        Assert.Equal([1, 3], checkpoints);
        Assert.True(Directory.Exists(history[3].GetProperty("checkpoint").GetString()));
    }

    [Fact]
    public async Task History_from_an_iteration_and_as_a_table()
    {
        var runId = await silo.CompletedTinyRunAsync();
        var json = await silo.EppoAsync("run", "history", runId, "--from", "2", "--json");
        CliAssert.Succeeded(json);
        Assert.Equal([2, 3], JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().Select(m => m.GetProperty("iteration").GetInt32()));

        var table = await silo.EppoAsync("run", "history", runId);
        CliAssert.Succeeded(table);
        foreach (var text in new[] { "proxy", "shaped", "iter-000004" }) Assert.Contains(text, table.Stdout);
    }

    [Fact]
    public async Task History_of_an_unknown_run_or_a_negative_start_is_one_line()
    {
        CliAssert.OneLineError(await silo.EppoAsync("run", "history", "no-such-run-123"), CliAssert.UserError, "no such run");
        CliAssert.OneLineError(await silo.EppoAsync("run", "history", "no-such-run-123", "--from", "-1"), CliAssert.UserError, "--from");
    }
}
