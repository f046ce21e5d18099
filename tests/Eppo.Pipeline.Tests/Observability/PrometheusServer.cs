using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

using Eppo.Tests;

namespace Eppo.Pipeline.Tests.Observability;

/// <summary>
/// Debian's prometheus on 127.0.0.1, scraping one silo every second with the shipped alert rules, in a temp dir.
/// Stopped with TERM, then KILL; its output is kept for failure messages.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public int Port { get; }

    private PrometheusServer(string binary, string dir, int port, string configPath)
    {
        _dir = dir;
        Port = port;
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     $"--config.file={configPath}", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                 })
            info.ArgumentList.Add(arg);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static PrometheusServer Start(int targetPort, string rulesFile)
    {
        var binary = ExternalTool.Require("prometheus");
        var dir = Directory.CreateTempSubdirectory("eppo-prometheus-").FullName;
        var config = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            rule_files:
              - {rulesFile}
            scrape_configs:
              - job_name: eppo-silo
                static_configs:
                  - targets: ['127.0.0.1:{targetPort}']
            """);
        return new PrometheusServer(binary, dir, LoopbackPorts.Free(), config);
    }

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>GET /api/v1/query; null while Prometheus is not up yet. Throws on a query Prometheus rejects.</summary>
    public async Task<IReadOnlyList<QueryResult>?> QueryAsync(string promql)
    {
        if (_process.HasExited) throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}:\n{Log}");
        HttpResponseMessage response;
        try { response = await _http.GetAsync($"http://127.0.0.1:{Port}/api/v1/query?query={Uri.EscapeDataString(promql)}"); }
        catch (HttpRequestException) { return null; }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            // While it starts, Prometheus answers 503 "Service Unavailable" in plain text: not up yet.
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable) return null;
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.GetProperty("status").GetString() != "success")
                throw new InvalidOperationException($"query {promql} failed: {body}");
            var data = doc.RootElement.GetProperty("data");
            if (data.GetProperty("resultType").GetString() != "vector") throw new InvalidOperationException($"query {promql}: not a vector: {body}");
            return data.GetProperty("result").EnumerateArray().Select(r => new QueryResult(
                r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture))).ToList();
        }
    }

    /// <summary>Polls a query until it returns a series or the deadline passes.</summary>
    public async Task<IReadOnlyList<QueryResult>> WaitForAsync(string promql, DateTime deadline)
    {
        while (true)
        {
            if (await QueryAsync(promql) is { Count: > 0 } result) return result;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no series for {promql} before the deadline; prometheus log:\n{Log}");
            await Task.Delay(250);
        }
    }

    /// <summary>GET /api/v1/label/__name__/values: every metric name Prometheus stored.</summary>
    public async Task<ISet<string>> MetricNamesAsync()
    {
        var body = await _http.GetStringAsync($"http://127.0.0.1:{Port}/api/v1/label/__name__/values");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetString()!).ToHashSet();
    }

    public ValueTask DisposeAsync()
    {
        ExternalTool.Stop(_process, TimeSpan.FromSeconds(10));
        _process.Dispose();
        _http.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { } // a file still being closed: leave the temp dir
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }
}

internal sealed record QueryResult(IReadOnlyDictionary<string, string> Labels, double Value);
