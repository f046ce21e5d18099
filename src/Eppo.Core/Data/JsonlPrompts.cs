using System.Text.Json;

namespace Eppo.Core.Data;

/// <summary>
/// Prompt files: one JSON object per line with a "prompt" string and an optional "id" (string or number).
/// Blank lines are skipped; a file without prompts is an error.
/// </summary>
public static class JsonlPrompts
{
    public static IReadOnlyList<PromptRecord> Load(string path)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        var rowNumber = 0;
        var prompts = JsonlRows.Read(path, (row, error) =>
        {
            rowNumber++;
            var prompt = JsonlRows.RequiredString(row, "prompt", error);
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
