using System.Text.Json;

namespace Eppo.Core.Data;

/// <summary>
/// AlpacaFarm preference rows (tatsu-lab/alpaca_farm; <see cref="DatasetRows"/>): {"instruction", "input", "output_1", "output_2",
/// "preference"} with preference 1 or 2 naming the better output. The prompt is the instruction, then the input
/// after a blank line when there is one.
/// </summary>
public static class AlpacaFarmPreferences
{
    public static IReadOnlyList<PreferenceRecord> Load(string path)
    {
        var pairs = DatasetRows.Read(path, (row, error) =>
        {
            var instruction = DatasetRows.RequiredString(row, "instruction", error);
            if (string.IsNullOrWhiteSpace(instruction)) throw error("empty instruction");
            var input = DatasetRows.Has(row, "input") ? DatasetRows.RequiredString(row, "input", error) : "";
            var first = DatasetRows.RequiredString(row, "output_1", error);
            var second = DatasetRows.RequiredString(row, "output_2", error);
            if (!row.TryGetProperty("preference", out var preference) || preference.ValueKind != JsonValueKind.Number
                || !preference.TryGetInt32(out var better) || better is not (1 or 2))
                throw error("field 'preference' must be 1 or 2 (the better output)");
            var prompt = string.IsNullOrWhiteSpace(input) ? instruction : $"{instruction}\n\n{input}";
            return better == 1 ? new PreferenceRecord(prompt, first, second) : new PreferenceRecord(prompt, second, first);
        });
        if (pairs.Count == 0) throw new EppoException($"no preference pairs in {path}");
        return pairs;
    }
}
