using System.Text.Json;

namespace Eppo.Core.Data;

/// <summary>
/// TL;DR comparisons (openai/summarize_from_feedback; <see cref="DatasetRows"/>): {"info": {"post", "title", "subreddit"}, "summaries":
/// [{"text"}, {"text"}], "choice": 0 or 1}. The prompt is the post in the layout of Stiennon et al.
/// ("SUBREDDIT: r/…\nTITLE: …\nPOST: …\nTL;DR:"); the responses are the summaries.
/// </summary>
public static class TldrComparisons
{
    public static IReadOnlyList<PreferenceRecord> Load(string path)
    {
        var pairs = DatasetRows.Read(path, (row, error) =>
        {
            if (!row.TryGetProperty("info", out var info) || info.ValueKind != JsonValueKind.Object) throw error("missing object field 'info'");
            var post = DatasetRows.RequiredString(info, "post", error);
            if (string.IsNullOrWhiteSpace(post)) throw error("empty info.post");
            var title = DatasetRows.Has(info, "title") ? DatasetRows.RequiredString(info, "title", error) : "";
            var subreddit = DatasetRows.Has(info, "subreddit") ? DatasetRows.RequiredString(info, "subreddit", error) : "";
            if (!row.TryGetProperty("summaries", out var summaries) || summaries.ValueKind != JsonValueKind.Array || summaries.GetArrayLength() != 2)
                throw error("field 'summaries' must be a list of two {\"text\": …} objects");
            var texts = summaries.EnumerateArray().Select(s => s.ValueKind == JsonValueKind.Object
                ? DatasetRows.RequiredString(s, "text", error)
                : throw error("field 'summaries' must be a list of two {\"text\": …} objects")).ToArray();
            if (!row.TryGetProperty("choice", out var choice) || choice.ValueKind != JsonValueKind.Number || !choice.TryGetInt32(out var chosen) || chosen is not (0 or 1))
                throw error("field 'choice' must be 0 or 1 (the better summary)");
            var prompt = $"SUBREDDIT: r/{subreddit}\nTITLE: {title}\nPOST: {post}\nTL;DR:";
            return new PreferenceRecord(prompt, texts[chosen].Trim(), texts[1 - chosen].Trim());
        });
        if (pairs.Count == 0) throw new EppoException($"no comparisons in {path}");
        return pairs;
    }
}
