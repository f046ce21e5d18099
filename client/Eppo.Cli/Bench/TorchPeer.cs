using System.Diagnostics;
using System.Text.Json;
using Eppo.Core;

namespace Eppo.Cli.Bench;

/// <summary>
/// Runs torch_peer.py (shipped beside the CLI) with Debian's python3-torch on the same checkpoint and token ids, in
/// PyTorch's fastest setting on this machine: OpenBLAS (libopenblas0-pthread) parallelises the matmuls over the
/// cores and torch's own intra-op pool has one thread. Both pools at 2 threads oversubscribe 2 cores and decode 5×
/// slower; docs/benchmarks.md has the four combinations measured. Debian's python3-torch multiplies with whatever
/// BLAS the libblas.so.3 alternative names; on the netlib reference BLAS it is ~30× slower, so the peer checks the
/// BLAS its own process has mapped and refuses to compare on that one (the check sees what torch really loads, through
/// alternatives, LD_LIBRARY_PATH or a torch with its own BLAS, where the alternatives' setting would only be a guess).
/// </summary>
public static class TorchPeer
{
    public const string Python = "/usr/bin/python3";

    public sealed record Timings(string Torch, string Blas, int Threads, double LoadS, double GenerationS, double PpoStepS, int[][] Generated);

    public static string Script => Path.Combine(AppContext.BaseDirectory, "Bench", "torch_peer.py");

    /// <summary>torch_peer.py's exit code when its process would multiply with Debian's reference BLAS.</summary>
    public const int ReferenceBlas = 3;

    /// <summary>
    /// Null when the peer can run here; the reason when it cannot (no python3-torch), for the bench to go on without it.
    /// Throws <see cref="EppoException"/> (one line: what to install) when torch would multiply with Debian's reference
    /// BLAS: a comparison there would flatter us ~30×, so the bench stops. <paramref name="environment"/> adds to the
    /// peer's environment, as <see cref="Run"/> would get it.
    /// </summary>
    public static string? Unavailable(IReadOnlyDictionary<string, string>? environment = null) =>
        !File.Exists(Python) ? $"{Python} not found (apt install python3-torch libopenblas0-pthread)" : CheckBlas([], environment);

    /// <summary>
    /// The peer's verdict on a process that has mapped <paramref name="mapped"/> (empty: its own mappings, for real): null
    /// when it may compare, else as <see cref="Unavailable"/>. The verdict is torch_peer.py's own code, so a test can hold
    /// it to given paths whatever BLAS the machine it runs on has.
    /// </summary>
    public static string? CheckBlas(IReadOnlyList<string> mapped, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Python, [Script, "--check-blas", .. mapped]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        using var probe = Process.Start(info)!;
        var stderr = probe.StandardError.ReadToEndAsync();
        probe.StandardOutput.ReadToEnd();
        probe.WaitForExit();
        return probe.ExitCode switch
        {
            0 => null,
            ReferenceBlas => throw new EppoException($"bench model: {stderr.Result.Trim().Split('\n').Last()}"),
            _ => "python3-torch is not installed (apt install python3-torch libopenblas0-pthread)",
        };
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
        return new Timings(r.GetProperty("torch").GetString()!, r.GetProperty("blas").GetString()!, r.GetProperty("threads").GetInt32(), r.GetProperty("load_s").GetDouble(),
            r.GetProperty("generation_s").GetDouble(), r.GetProperty("ppo_step_s").GetDouble(),
            [.. r.GetProperty("generated").EnumerateArray().Select(row => row.EnumerateArray().Select(t => t.GetInt32()).ToArray())]);
    }
}
