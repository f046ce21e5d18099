namespace Eppo.Console.Tests;

/// <summary>The contract for bad input: the right exit code, one line on stderr, nothing on stdout, no stack trace.</summary>
public static class CliAssert
{
    public const int Ok = 0, UserError = 2, ClusterUnreachable = 3;

    public static string OneLineError(CliResult result, int exitCode, params string[] mentions)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}\n{result}");
        Assert.True(result.Stdout.Length == 0, $"stdout should stay empty\n{result}");
        var lines = result.StderrLines;
        Assert.True(lines.Length == 1, $"expected one line on stderr\n{result}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("Exception", lines[0]);
        foreach (var mention in mentions) Assert.Contains(mention, lines[0]);
        return lines[0];
    }

    public static void Succeeded(CliResult result) => Assert.True(result.ExitCode == Ok, result.ToString());
}
