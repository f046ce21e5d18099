namespace Eppo.Console.Tests;

/// <summary>`--help` on every command: usage, at least one example of that command, exit 0.</summary>
public sealed class HelpTests
{
    public static TheoryData<string> Commands => new()
    {
        "", "run", "run start", "run pause", "run resume", "run stop", "run status", "run list", "run watch", "run history", "bench load", "bench soak", "bench model", "model", "model inspect", "model logits", "model export",
        "model generate", "model create", "eval", "study", "tune",
        "silo", "demo", "bench", "bench core", "bench pipeline", "plan",
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_shows_usage_and_an_example(string command)
    {
        var path = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var result = await EppoCli.RunAsync([.. path, "--help"]);

        CliAssert.Succeeded(result);
        Assert.Contains("USAGE:", result.Stdout);
        Assert.Contains("EXAMPLES:", result.Stdout);
        Assert.Contains($"eppo {command}".TrimEnd(), result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Run_start_help_lists_name_watch_and_tls()
    {
        var result = await EppoCli.RunAsync("run", "start", "--help");

        foreach (var option in new[] { "--config", "--name", "--watch", "--gateway-port", "--service-id", "--tls-cert", "--connect-timeout" })
            Assert.Contains(option, result.Stdout);
    }
}
