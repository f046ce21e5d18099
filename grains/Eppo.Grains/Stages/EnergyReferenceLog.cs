using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Eppo.Core.Iteration;
using Eppo.Grains.AppendLogs;

namespace Eppo.Grains.Stages;

/// <summary>
/// A run's energy-reference cache as an append log "{run}/energy-reference.jsonl": one JSON line per prompt and
/// change — an entry computed on a miss (id, energy, answer, and modules for the official energy), or PAR's score of
/// its answer added later (id, reference_score). The misses of one call are one append. A line that does not parse
/// (a crash mid-append) is skipped: its entries are recomputed, identically (greedy decoding).
/// </summary>
public static class EnergyReferenceLog
{
    public const string FileName = "energy-reference.jsonl";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    sealed record Line(string Id, float? Energy = null, int[]? Answer = null, float[]? Modules = null, float? ReferenceScore = null);

    public static string NameOf(string runId) => $"{runId}/{FileName}";

    /// <summary>Whole entries (as computed on a miss, or moved from older grain state).</summary>
    public static byte[] Encode(IEnumerable<KeyValuePair<string, ReferenceEntry>> entries) =>
        Lines(entries.Select(e => new Line(e.Key, e.Value.Energy, e.Value.Answer, e.Value.ModuleEnergies, e.Value.ReferenceScore)));

    /// <summary>The reference scores of entries already in the log.</summary>
    public static byte[] EncodeScores(IEnumerable<KeyValuePair<string, ReferenceEntry>> entries) =>
        Lines(entries.Select(e => new Line(e.Key, ReferenceScore: e.Value.ReferenceScore)));

    static byte[] Lines(IEnumerable<Line> lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => JsonSerializer.Serialize(l, Json) + "\n")));

    /// <summary>The entries in the log, in order, and whether it ends in a line cut short (the next append must start a new line).</summary>
    public static async Task<(IReadOnlyList<KeyValuePair<string, ReferenceEntry>> Entries, bool Torn)> ReadAsync(IAppendLog log)
    {
        var entries = new Dictionary<string, ReferenceEntry>();
        var end = 0L;
        await foreach (var (bytes, lineEnd) in AppendLogLines.ReadAsync(log))
        {
            end = lineEnd;
            if (Decode(bytes) is not { } line) continue;
            if (line is { Energy: { } energy, Answer: { } answer })
                entries[line.Id] = new ReferenceEntry(energy, answer, line.Modules, line.ReferenceScore);
            else if (line.ReferenceScore is { } score && entries.TryGetValue(line.Id, out var entry))
                entries[line.Id] = entry with { ReferenceScore = score };
        }
        return ([.. entries], await log.LengthAsync() > end);
    }

    static Line? Decode(byte[] bytes)
    {
        try { return JsonSerializer.Deserialize<Line>(bytes, Json) is { Id: not null } line ? line : null; }
        catch (JsonException) { return null; }
    }
}
