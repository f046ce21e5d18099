using System.Text;
using System.Text.Json;
using Eppo.Contracts;

namespace Eppo.Grains.History;

/// <summary>The history format: one JSON object per line (the run spec's snake_case), '\n' ends a record.</summary>
public static class HistoryLines
{
    static readonly JsonSerializerOptions Json = new(RunSpec.Json) { WriteIndented = false };

    public static byte[] Encode(IterationMetrics record) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Json) + "\n");

    /// <summary>The record of one line (without its '\n'), or null when it does not parse.</summary>
    public static IterationMetrics? Decode(ReadOnlySpan<byte> line)
    {
        try { return JsonSerializer.Deserialize<IterationMetrics>(line, Json); }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// The records of iterations <paramref name="first"/>, <paramref name="first"/> + 1, … (at most
    /// <paramref name="count"/>) at the start of <paramref name="bytes"/>, and the byte length of the prefix that holds
    /// them. Reading stops at a record without its newline, one that does not parse (a crash mid-append), or one out of step.
    /// </summary>
    public static (IReadOnlyList<IterationMetrics> Records, long Length) Decode(ReadOnlySpan<byte> bytes, int first, int count)
    {
        var records = new List<IterationMetrics>();
        var length = 0;
        while (records.Count < count)
        {
            var end = bytes[length..].IndexOf((byte)'\n');
            if (end < 0 || Decode(bytes.Slice(length, end)) is not { } record || record.Iteration != first + records.Count) break;
            records.Add(record);
            length += end + 1;
        }
        return (records, length);
    }
}
