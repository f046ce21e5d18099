using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Eppo.Core.Tests;

/// <summary>
/// Runs an independent reimplementation in PyTorch (/usr/bin/python3, python3-torch) and returns its JSON answer.
/// The script reads its inputs as JSON from stdin (variable <c>inp</c>) and assigns a dict to <c>out</c>.
/// PyTorch missing is a test failure, never a skip: the checks would silently vanish otherwise.
/// </summary>
internal static class PyTorchOracle
{
    const string Python = "/usr/bin/python3";

    const string Prelude = """
        import sys, json
        try:
            import torch
        except Exception as e:
            sys.stderr.write("PYTORCH_MISSING: " + repr(e))
            sys.exit(3)
        torch.set_default_dtype(torch.float64)
        inp = json.load(sys.stdin)
        def T(x): return torch.tensor(x, dtype=torch.float64)
        def _tolist(t): return t.detach().tolist() if torch.is_tensor(t) else t
        out = {}

        """;

    const string Epilogue = """

        json.dump({k: _tolist(v) for k, v in out.items()}, sys.stdout)
        """;

    public static JsonObject Run(string script, object input)
    {
        if (!File.Exists(Python))
            throw new InvalidOperationException($"PyTorch oracle: {Python} not found; install python3 and python3-torch (apt) to run these checks");
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Prelude + Dedent(script) + Epilogue);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(JsonSerializer.Serialize(input));
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("PyTorch oracle did not finish within 60 s");
        }
        if (process.ExitCode == 3)
            throw new InvalidOperationException($"PyTorch oracle: torch is not importable by {Python} ({stderr.Result.Trim()}); install python3-torch (apt)");
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"PyTorch oracle script failed (exit {process.ExitCode}): {stderr.Result}");
        return JsonNode.Parse(stdout.Result)!.AsObject();
    }

    public static double[] Doubles(this JsonNode node) => Flatten(node).ToArray();

    public static double Double(this JsonNode node) => node.GetValue<double>();

    static IEnumerable<double> Flatten(JsonNode node) =>
        node is JsonArray array ? array.SelectMany(n => Flatten(n!)) : [node.GetValue<double>()];

    // Raw string literals keep indentation; Python needs it removed.
    static string Dedent(string script)
    {
        var lines = script.Replace("\r", "").Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }
}
