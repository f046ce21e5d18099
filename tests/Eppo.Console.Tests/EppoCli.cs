using System.Diagnostics;

namespace Eppo.Console.Tests;

/// <summary>What one `eppo` invocation left behind: exit code, stdout and stderr, kept apart.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the real CLI as a child process (`dotnet eppo.dll …`), output redirected — exit codes and the split between
/// stdout and stderr are what a script sees.
/// </summary>
public static class EppoCli
{
    /// <summary>eppo.dll as built next to this test assembly (the project reference copies it with its runtimeconfig).</summary>
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "eppo.dll");

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        var info = StartInfo(args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"eppo {string.Join(' ', info.ArgumentList.Skip(1))} did not finish in time\n{await stdout}\n{await stderr}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>The command line for `dotnet eppo.dll args` (tmux takes it as one shell string).</summary>
    public static string ShellCommand(IEnumerable<string> args) =>
        string.Join(' ', StartInfo(args).ArgumentList.Prepend("dotnet").Select(Quote));

    static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // The child must not inherit a test-host setting that changes how the CLI behaves.
        info.Environment.Remove("Eppo__Tls__Certificate");
        info.Environment.Remove("Eppo__Tls__Password");
        return info;
    }

    static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
