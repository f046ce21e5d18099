using System.Text.Json;

namespace Eppo.Core.Data;

/// <summary>
/// The one row source of the dataset loaders: a file becomes rows of named fields, each a JSON object, whatever the
/// container — JSON lines (.jsonl), gzipped JSON lines (.jsonl.gz, any .gz) or Parquet (.parquet), the forms in
/// which the Hugging Face hub publishes HH-RLHF, summarize_from_feedback and AlpacaFarm. A Parquet row is the object
/// its .jsonl line would be (structs as objects, lists as arrays), so each format's parser reads all three.
/// Every error names where the row is — "FILE:LINE" for JSON lines, "FILE: row INDEX" (from 0) for Parquet — and
/// what is wrong, in one line.
/// </summary>
internal static class DatasetRows
{
    public const string ParquetExtension = ".parquet", GzipExtension = ".gz";

    /// <summary>readRow(row, error) for every row (blank lines skipped); the row is disposed after the callback.</summary>
    public static List<T> Read<T>(string path, Func<JsonElement, Func<string, EppoException>, T> readRow)
    {
        if (!File.Exists(path)) throw new EppoException($"file not found: {path}");
        var rows = new List<T>();
        foreach (var (where, document) in Open(path))
            using (document)
            {
                EppoException Error(string what) => new($"{where}: {what}");
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw Error($"expected a JSON object, got {document.RootElement.ValueKind}");
                rows.Add(readRow(document.RootElement, Error));
            }
        return rows;
    }

    static IEnumerable<(string Where, JsonDocument Row)> Open(string path) =>
        path.EndsWith(ParquetExtension, StringComparison.OrdinalIgnoreCase) ? ParquetRows.Read(path)
        : JsonLines.Read(path, gzipped: path.EndsWith(GzipExtension, StringComparison.OrdinalIgnoreCase));

    /// <summary>The file's name without its container: "helpful-base-train" for helpful-base-train.jsonl.gz.</summary>
    public static string Stem(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(GzipExtension, StringComparison.OrdinalIgnoreCase)) name = name[..^GzipExtension.Length];
        return Path.GetFileNameWithoutExtension(name);
    }

    public static bool Has(JsonElement row, string field) =>
        row.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    public static string RequiredString(JsonElement row, string field, Func<string, EppoException> error)
    {
        if (!row.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
            throw error($"missing field '{field}'");
        if (value.ValueKind != JsonValueKind.String)
            throw error($"field '{field}' must be a string, got {value.ValueKind}");
        return value.GetString()!;
    }
}
