using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Eppo.Cluster.Tests.Infrastructure;

/// <summary>A process the tests started: output captured (and copied to a log file), stopped only by its own id.</summary>
internal sealed class ChildProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();
    readonly StreamWriter log;

    ChildProcess(Process process, string logPath)
    {
        this.process = process;
        log = new StreamWriter(logPath, append: true) { AutoFlush = true };
    }

    public int Id => process.Id;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public static ChildProcess Start(string file, IEnumerable<string> args, string logPath, IDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) info.Environment[key] = value;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, logPath);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
        lock (log) log.WriteLine(line);
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{what} exited with {process.ExitCode} before saying '{text}':\n{Tail()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not say '{text}' within {timeout.TotalSeconds} s:\n{Tail()}");
            await Task.Delay(50);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    public string Tail(int lines = 40) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        if (!process.HasExited) process.Kill();
        process.WaitForExit();
    }

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then SIGKILL. Returns true when it exited by itself.</summary>
    public async Task<bool> TerminateAsync(TimeSpan grace)
    {
        if (process.HasExited) return true;
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            await term.WaitForExitAsync();
        try
        {
            await WaitForExitAsync(grace);
            return true;
        }
        catch (OperationCanceledException)
        {
            Kill();
            return false;
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
        lock (log) log.Dispose();
    }
}
