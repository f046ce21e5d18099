using System.Diagnostics;

namespace Eppo.Console.Tests;

/// <summary>A private tmux server (its own socket, -L) for one test: a real terminal of a chosen size whose screen can be read.</summary>
public sealed class Tmux : IDisposable
{
    readonly string _socket = $"eppo-test-{Guid.NewGuid():N}"[..24];

    public static string Require() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "tmux")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("tmux not found on PATH: install it (apt-get install -y tmux); tests/run-all does");

    /// <summary>Starts <paramref name="shellCommand"/> in a detached session; the pane stays after it exits so its last screen can be read.</summary>
    public void Start(string shellCommand, int width, int height)
    {
        Run("new-session", "-d", "-s", "eppo", "-x", $"{width}", "-y", $"{height}", $"{shellCommand}; echo \"[exit $?]\"; sleep 120");
    }

    public void SendKeys(string keys) => Run("send-keys", "-t", "eppo", keys);

    public string Screen() => Run("capture-pane", "-p", "-t", "eppo");

    /// <summary>Reads the screen until <paramref name="done"/> holds; returns the last screen either way.</summary>
    public async Task<string> WaitForScreenAsync(Func<string, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var screen = Screen();
        while (!done(screen) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            screen = Screen();
        }
        return screen;
    }

    string Run(params string[] args)
    {
        var info = new ProcessStartInfo(Require()) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(_socket);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)}: exit {process.ExitCode}: {error}");
        return output;
    }

    /// <summary>Ends only this test's tmux server (by its socket), and with it the watch it ran.</summary>
    public void Dispose()
    {
        try { Run("kill-server"); } catch (InvalidOperationException) { }
    }
}
