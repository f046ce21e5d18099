using System.Diagnostics;
using System.Text.Json;
using Eppo.Core;
using Eppo.Core.Benchmarks;

namespace Eppo.Cli.Bench;

/// <summary>
/// Runs torch_peer.py (shipped beside the CLI) with Debian's python3-torch on the same checkpoint and token ids, in
/// PyTorch's fastest setting on this machine: OpenBLAS (libopenblas0-pthread) parallelises the matmuls over the
/// cores and torch's own intra-op pool has one thread. Both pools at 2 threads oversubscribe 2 cores and decode 5×
/// slower; docs/benchmarks.md has the four combinations measured.
/// </summary>
public static class TorchPeer
{
    public const string Python = "/usr/bin/python3";

    public sealed record Timings(string Torch, int Threads, double LoadS, double GenerationS, double PpoStepS, int[][] Generated);

    public static string Script => Path.Combine(AppContext.BaseDirectory, "Bench", "torch_peer.py");

    /// <summary>Null with the reason when the peer cannot run here (no python3-torch).</summary>
    public static string? Unavailable()
    {
        if (!File.Exists(Python)) return $"{Python} not found (apt-get install python3-torch)";
        using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", "import torch"]) { RedirectStandardError = true })!;
        probe.WaitForExit();
        return probe.ExitCode == 0 ? null : "python3-torch is not installed (apt-get install python3-torch libopenblas0-pthread)";
    }

    public static Timings Run(string dir, ModelBenchmark.Work work, int cores, int seed)
    {
        var job = JsonSerializer.Serialize(new
        {
            dir, threads = 1, seed, prompts = work.Prompts, responses = work.Responses, scores = work.Scores,
            new_tokens = work.NewTokens, train_steps = work.TrainSteps,
        });
        using var process = Process.Start(new ProcessStartInfo(Python, [Script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            Environment = { ["OPENBLAS_NUM_THREADS"] = cores.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        })!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(job);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new EppoException($"bench model: the PyTorch peer failed (exit {process.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        using var json = JsonDocument.Parse(stdout);
        var r = json.RootElement;
        return new Timings(r.GetProperty("torch").GetString()!, r.GetProperty("threads").GetInt32(), r.GetProperty("load_s").GetDouble(),
            r.GetProperty("generation_s").GetDouble(), r.GetProperty("ppo_step_s").GetDouble(),
            [.. r.GetProperty("generated").EnumerateArray().Select(row => row.EnumerateArray().Select(t => t.GetInt32()).ToArray())]);
    }
}
