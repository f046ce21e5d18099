using Eppo.Core.Tasks;

namespace Eppo.Core.Data;

/// <summary>Supervised rows {"prompt", "response"} (<see cref="DatasetRows"/>: .jsonl, .jsonl.gz or .parquet). Blank lines are skipped; a file without rows is an error.</summary>
public static class SftRows
{
    public static IReadOnlyList<SftRow> Load(string path)
    {
        var rows = DatasetRows.Read(path, (row, error) =>
        {
            var prompt = DatasetRows.RequiredString(row, "prompt", error);
            if (string.IsNullOrWhiteSpace(prompt)) throw error("empty prompt");
            var response = DatasetRows.RequiredString(row, "response", error);
            if (string.IsNullOrWhiteSpace(response)) throw error("empty response");
            return new SftRow(prompt, response);
        });
        if (rows.Count == 0) throw new EppoException($"no SFT rows in {path}");
        return rows;
    }
}
