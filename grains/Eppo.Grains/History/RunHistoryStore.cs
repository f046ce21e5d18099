using System.Buffers.Binary;
using Eppo.Contracts;
using Eppo.Grains.AppendLogs;

namespace Eppo.Grains.History;

/// <summary>
/// The history in two append logs of the profile (<see cref="IAppendLogStore"/>): "{run}/history.jsonl", one record
/// a line, and beside it "{run}/history.index", the byte offset where each iteration's line ends (8 bytes
/// little-endian, entry i for iteration i), so a page reads its own lines and not the history before them. The
/// lines are the record; the index follows them: it is appended after them and cut before them, so after a crash it
/// may lag the lines (it is completed from them when the history is cut back) but does not point past them. Where it
/// does not reach, or names a line that is not its iteration's, the lines are followed one by one.
/// </summary>
public sealed class RunHistoryStore(IAppendLogStore logs) : IRunHistoryStore
{
    public const string FileName = "history.jsonl";
    public const string IndexName = "history.index";
    const int EntryBytes = sizeof(long);

    IAppendLog Lines(string runId) => logs.Open($"{runId}/{FileName}");

    IAppendLog Index(string runId) => logs.Open($"{runId}/{IndexName}");

    public async Task AppendAsync(string runId, IReadOnlyList<IterationMetrics> records)
    {
        if (records.Count == 0) return;
        var (lines, index) = (Lines(runId), Index(runId));
        // The run grain cuts the history back before it appends; should a failed commit have left lines or entries
        // past the last stored iteration, they go first, so that entry i stays iteration i's line.
        var next = records[0].Iteration;
        if (await index.LengthAsync() != (long)next * EntryBytes || await lines.LengthAsync() != await EndAsync(index, next))
        {
            await TruncateAsync(runId, next);
            // Fewer stored than the commit follows: the iterations between are gone (cut by another activation of the
            // run), and appending would leave a hole that every later page reads around. The commit fails instead.
            var stored = await index.LengthAsync() / EntryBytes;
            if (stored != next)
                throw new InvalidOperationException($"history of run '{runId}': {stored} iterations stored, but the commit appends from iteration {next}");
        }
        var encoded = records.Select(HistoryLines.Encode).ToArray();
        var end = await lines.AppendAsync(encoded.SelectMany(l => l).ToArray());
        await index.AppendAsync(Entries(encoded.Select(line => end += line.Length).ToArray()));
    }

    public async Task<IReadOnlyList<IterationMetrics>> ReadAsync(string runId, int from, int count)
    {
        if (from < 0 || count <= 0) return [];
        var (lines, index) = (Lines(runId), Index(runId));
        // Entries from − 1 … from + count − 1: where the first line starts and where each ends.
        var first = Math.Max(0, from - 1);
        var ends = Offsets(await index.ReadAsync((long)first * EntryBytes, (int)Math.Min(((long)from + count - first) * EntryBytes, int.MaxValue)));
        if (from > 0 && ends.Length == 0) return await FollowFromIndexEndAsync(lines, index, from, count);
        var start = from == 0 ? 0 : ends[0];
        var within = from == 0 ? ends : ends[1..];
        var records = new List<IterationMetrics>();
        if (within.Length > 0)
        {
            var length = within[^1] - start;
            if (length <= 0 || length > int.MaxValue) return await FollowAsync(lines, 0, 0).Where(r => r.Record.Iteration >= from).Select(r => r.Record).Take(count).ToArrayAsync();
            records.AddRange(HistoryLines.Decode(await lines.ReadAsync(start, (int)length), from, within.Length).Records);
            // A line the index names is not its iteration's (a history file edited or cut by hand): read it all.
            if (records.Count < within.Length)
                return await FollowAsync(lines, 0, 0).Where(r => r.Record.Iteration >= from).Select(r => r.Record).Take(count).ToArrayAsync();
            start = within[^1];
        }
        // Past the index's end (a crash between the lines and their entries): line by line.
        if (records.Count < count)
            records.AddRange(await FollowAsync(lines, start, from + records.Count).Select(r => r.Record).Take(count - records.Count).ToArrayAsync());
        return records;
    }

    public async Task TruncateAsync(string runId, int iterations)
    {
        var (lines, index) = (Lines(runId), Index(runId));
        var indexed = (int)Math.Min(iterations, await index.LengthAsync() / EntryBytes);
        var end = indexed == 0 ? 0 : await CheckedEndAsync(lines, index, indexed);
        if (end < 0) (indexed, end) = (0, 0); // the index disagrees with the lines: rebuilt from them
        // Complete the index from the lines it lags (all of them for a history written before there was an index).
        var found = indexed < iterations ? await FollowAsync(lines, end, indexed).Take(iterations - indexed).Select(r => r.End).ToArrayAsync() : [];
        if (found.Length > 0) end = found[^1];
        await index.CutAsync((long)indexed * EntryBytes);
        if (found.Length > 0) await index.AppendAsync(Entries(found));
        await lines.CutAsync(end);
    }

    /// <summary>Records line by line from <paramref name="offset"/>, where iteration <paramref name="iteration"/>'s line starts, while they follow in step.</summary>
    static async IAsyncEnumerable<(IterationMetrics Record, long End)> FollowAsync(IAppendLog lines, long offset, int iteration)
    {
        await foreach (var (line, end) in AppendLogLines.ReadAsync(lines, offset))
        {
            if (HistoryLines.Decode(line) is not { } record || record.Iteration != iteration++) yield break;
            yield return (record, end);
        }
    }

    static async Task<IReadOnlyList<IterationMetrics>> FollowFromIndexEndAsync(IAppendLog lines, IAppendLog index, int from, int count)
    {
        var indexed = (int)(await index.LengthAsync() / EntryBytes);
        return await FollowAsync(lines, await EndAsync(index, indexed), indexed).Where(r => r.Record.Iteration >= from).Select(r => r.Record).Take(count).ToArrayAsync();
    }

    /// <summary>Where the first <paramref name="iterations"/> lines end, by the index (0 for none).</summary>
    static async Task<long> EndAsync(IAppendLog index, int iterations) =>
        iterations == 0 ? 0 : Offsets(await index.ReadAsync((long)(iterations - 1) * EntryBytes, EntryBytes)).FirstOrDefault(-1);

    /// <summary>Where iteration <paramref name="indexed"/> − 1's line ends by the index, once the line there is checked to be that iteration's; −1 if not.</summary>
    static async Task<long> CheckedEndAsync(IAppendLog lines, IAppendLog index, int indexed)
    {
        var first = Math.Max(0, indexed - 2);
        var ends = Offsets(await index.ReadAsync((long)first * EntryBytes, (indexed - first) * EntryBytes));
        var (start, end) = (indexed == 1 ? 0 : ends[0], ends[^1]);
        if (end <= start || end - start > int.MaxValue) return -1;
        var line = await lines.ReadAsync(start, (int)(end - start));
        return line.Length == end - start && HistoryLines.Decode(line, indexed - 1, 1).Records.Count == 1 ? end : -1;
    }

    static byte[] Entries(IReadOnlyList<long> ends)
    {
        var bytes = new byte[ends.Count * EntryBytes];
        for (var i = 0; i < ends.Count; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * EntryBytes), ends[i]);
        return bytes;
    }

    /// <summary>The whole entries in <paramref name="bytes"/> (a torn last entry is left out).</summary>
    static long[] Offsets(byte[] bytes) =>
        Enumerable.Range(0, bytes.Length / EntryBytes).Select(i => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * EntryBytes))).ToArray();
}
