using System.Diagnostics;

namespace Eppo.Pipeline.Tests.Observability;

/// <summary>Debian's prometheus and promtool: found on PATH or the test fails saying how to install them.</summary>
internal static class ExternalTool
{
    public static string Require(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException(
            $"{name} not found on PATH: install Debian's prometheus package (apt-get install -y --no-install-recommends prometheus)");
    }

    /// <summary>Runs a tool to completion (at most <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(Require(tool)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>SIGTERM, wait, then SIGKILL: a process started by the test, stopped by its own id.</summary>
    public static void Stop(Process process, TimeSpan grace)
    {
        if (process.HasExited) return;
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            term.WaitForExit();
        if (!process.WaitForExit(grace)) process.Kill();
        process.WaitForExit();
    }
}
