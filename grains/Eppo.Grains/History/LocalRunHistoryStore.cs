using Eppo.Contracts;
using Eppo.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace Eppo.Grains.History;

/// <summary>The local profile: {DataRoot}/{runId}/history.jsonl, appended and fsynced at each commit.</summary>
public sealed class LocalRunHistoryStore(IOptions<EppoSiloOptions> options) : IRunHistoryStore
{
    public const string FileName = "history.jsonl";

    string PathOf(string runId) => Path.Combine(options.Value.DataRoot, runId, FileName);

    public async Task AppendAsync(string runId, IReadOnlyList<IterationMetrics> records)
    {
        var path = PathOf(runId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        await file.WriteAsync(HistoryLines.Encode(records));
        file.Flush(flushToDisk: true);
    }

    public async Task<IReadOnlyList<IterationMetrics>> ReadAsync(string runId, int iterations)
    {
        var path = PathOf(runId);
        return File.Exists(path) ? HistoryLines.Decode(await File.ReadAllBytesAsync(path), iterations).Records : [];
    }

    public async Task TruncateAsync(string runId, int iterations)
    {
        var path = PathOf(runId);
        if (!File.Exists(path)) return;
        var (_, length) = HistoryLines.Decode(await File.ReadAllBytesAsync(path), iterations);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        if (file.Length == length) return;
        file.SetLength(length);
        file.Flush(flushToDisk: true);
    }
}
