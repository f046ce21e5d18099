using Eppo.Cli;

namespace Eppo.Console.Tests;

/// <summary>The same command tree Program.cs runs, called in-process: exit codes without a child process.</summary>
public sealed class InProcessAppTests
{
    [Theory]
    [InlineData(2, "run", "status", "a/b")]
    [InlineData(2, "run", "list", "--no-such-flag")]
    [InlineData(2, "nonsense")]
    [InlineData(2, "run", "start", "--config", "/no/such/spec.json")]
    public async Task Bad_input_returns_the_user_error_code(int exitCode, params string[] args)
    {
        Assert.Equal(exitCode, await EppoApp.Create(args).RunAsync(args));
    }

    [Theory]
    [InlineData("see `eppo run start --help`", "run", "start", "--bogus")]
    [InlineData("see `eppo run --help`", "run", "stats")]
    [InlineData("see `eppo --help`", "launch")]
    [InlineData("see `eppo silo --help`", "silo", "--x")]
    public void Usage_hint_names_the_command_being_typed(string hint, params string[] args)
    {
        Assert.Equal(hint, UsageHint.For(args));
    }
}
