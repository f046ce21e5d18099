namespace Eppo.Core.Data;

/// <summary>
/// Anthropic-HH style preference rows (<see cref="DatasetRows"/>: .jsonl, .jsonl.gz or .parquet), in either form:
/// {"prompt": P, "chosen": C, "rejected": R} with C and R the responses; or the original HH form {"chosen": D1,
/// "rejected": D2} where each holds the whole dialogue "\n\nHuman: … \n\nAssistant: …" — the prompt is then the
/// shared dialogue up to and including the last "\n\nAssistant:", and the responses are what follows it.
/// Blank lines are skipped; a file without pairs is an error. Empty responses are allowed (HH has a few).
/// </summary>
public static class HhPreferencePairs
{
    public const string AssistantTurn = "\n\nAssistant:";

    public static IReadOnlyList<PreferenceRecord> Load(string path)
    {
        var pairs = DatasetRows.Read(path, (row, error) =>
        {
            var chosen = DatasetRows.RequiredString(row, "chosen", error);
            var rejected = DatasetRows.RequiredString(row, "rejected", error);
            if (DatasetRows.Has(row, "prompt"))
            {
                var prompt = DatasetRows.RequiredString(row, "prompt", error);
                if (string.IsNullOrWhiteSpace(prompt)) throw error("empty prompt");
                return new PreferenceRecord(prompt, chosen, rejected);
            }
            return SplitDialogues(chosen, rejected, error);
        });
        if (pairs.Count == 0) throw new EppoException($"no preference pairs in {path}");
        return pairs;
    }

    /// <summary>Splits two HH dialogues into their shared prompt and the two final assistant responses.</summary>
    public static PreferenceRecord SplitDialogues(string chosen, string rejected, Func<string, EppoException> error)
    {
        var last = chosen.LastIndexOf(AssistantTurn, StringComparison.Ordinal);
        if (last < 0) throw error("no 'prompt' field and 'chosen' has no \"\\n\\nAssistant:\" turn");
        var prompt = chosen[..(last + AssistantTurn.Length)];
        if (string.IsNullOrWhiteSpace(prompt[..last])) throw error("empty prompt");
        if (!rejected.StartsWith(prompt, StringComparison.Ordinal))
            throw error("'chosen' and 'rejected' differ before the last \"\\n\\nAssistant:\" turn, so they share no prompt");
        return new PreferenceRecord(prompt, chosen[prompt.Length..].TrimStart(), rejected[prompt.Length..].TrimStart());
    }
}
