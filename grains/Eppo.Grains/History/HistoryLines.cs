using System.Text;
using System.Text.Json;
using Eppo.Contracts;

namespace Eppo.Grains.History;

/// <summary>The history format both stores share: one JSON object per line (the run spec's snake_case), '\n' ends a record.</summary>
public static class HistoryLines
{
    static readonly JsonSerializerOptions Json = new(RunSpec.Json) { WriteIndented = false };

    public static byte[] Encode(IEnumerable<IterationMetrics> records) =>
        Encoding.UTF8.GetBytes(string.Concat(records.Select(r => JsonSerializer.Serialize(r, Json) + "\n")));

    /// <summary>
    /// The complete records for iterations below <paramref name="iterations"/>, and the byte length of the prefix that
    /// holds them. Reading stops at a record without its newline or that does not parse (a crash mid-append).
    /// </summary>
    public static (IReadOnlyList<IterationMetrics> Records, long Length) Decode(ReadOnlySpan<byte> bytes, int iterations)
    {
        var records = new List<IterationMetrics>();
        long length = 0;
        while (records.Count < iterations)
        {
            var end = bytes[(int)length..].IndexOf((byte)'\n');
            if (end < 0) break;
            IterationMetrics? record;
            try { record = JsonSerializer.Deserialize<IterationMetrics>(bytes.Slice((int)length, end), Json); }
            catch (JsonException) { break; }
            if (record is null || record.Iteration != records.Count) break;
            records.Add(record);
            length += end + 1;
        }
        return (records, length);
    }
}
