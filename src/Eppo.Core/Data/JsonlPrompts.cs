using System.Text.Json;

namespace Eppo.Core.Data;

/// <summary>
/// Prompt files (<see cref="DatasetRows"/>: .jsonl, .jsonl.gz or .parquet): rows with a "prompt" string and an optional
/// "id" (string or number); a row without one is "STEM-N", N counting rows from 1.
/// Blank lines are skipped; a file without prompts is an error.
/// </summary>
public static class JsonlPrompts
{
    public static IReadOnlyList<PromptRecord> Load(string path)
    {
        var stem = DatasetRows.Stem(path);
        var rowNumber = 0;
        var prompts = DatasetRows.Read(path, (row, error) =>
        {
            rowNumber++;
            var prompt = DatasetRows.RequiredString(row, "prompt", error);
            if (string.IsNullOrWhiteSpace(prompt)) throw error("empty prompt");
            string id;
            if (!row.TryGetProperty("id", out var idValue) || idValue.ValueKind == JsonValueKind.Null)
                id = $"{stem}-{rowNumber}";
            else if (idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                id = idValue.ValueKind == JsonValueKind.String ? idValue.GetString()! : idValue.GetRawText();
            else
                throw error($"field 'id' must be a string or a number, got {idValue.ValueKind}");
            return new PromptRecord(id, prompt);
        });
        if (prompts.Count == 0) throw new EppoException($"no prompts in {path}");
        return prompts;
    }
}
