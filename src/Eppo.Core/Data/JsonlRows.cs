using System.Text.Json;

namespace Eppo.Core.Data;

/// <summary>Reads JSON-lines files row by row; every error names "FILE:LINE" and what is wrong.</summary>
internal static class JsonlRows
{
    /// <summary>(line number, row object) for every non-blank line; the document is disposed after the callback.</summary>
    public static List<T> Read<T>(string path, Func<JsonElement, Func<string, EppoException>, T> readRow)
    {
        if (!File.Exists(path)) throw new EppoException($"file not found: {path}");
        var rows = new List<T>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var at = lineNumber;
            EppoException Error(string what) => new($"{path}:{at}: {what}");
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw Error($"invalid JSON ({e.Message})");
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw Error($"expected a JSON object, got {document.RootElement.ValueKind}");
                rows.Add(readRow(document.RootElement, Error));
            }
        }
        return rows;
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
