namespace Eppo.Core.Training;

/// <summary>
/// Per-prompt cache of ΔE_SFT and of the SFT model's greedy answer it was measured on. Misses are computed in groups
/// of equal prompt length (no padding), so a prompt's values do not depend on which other prompts missed with it — a
/// recomputed cache equals the original bit for bit. An entry restored without its answer (a cache written before
/// answers were kept) counts as a miss and is recomputed.
/// </summary>
public sealed class EnergyReferenceCache(SftEnergyReference reference) : IDisposable
{
    public void Dispose() => reference.Dispose();

    readonly Dictionary<string, float> values = new();
    readonly Dictionary<string, int[]> answers = new();

    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public IReadOnlyDictionary<string, float> Values => values;
    public IReadOnlyDictionary<string, int[]> Answers => answers;

    public void Restore(IEnumerable<KeyValuePair<string, float>> entries, IEnumerable<KeyValuePair<string, int[]>> answered)
    {
        foreach (var (id, answer) in answered) answers[id] = answer;
        foreach (var (id, value) in entries)
            if (answers.ContainsKey(id)) values[id] = value;
    }

    /// <summary>ΔE_SFT and the SFT answer for each prompt, and how many were already cached.</summary>
    public (float[] Energy, int[][] Answers, int Hits, int Misses) Get(string[] ids, int[][] prompts)
    {
        var missing = Enumerable.Range(0, ids.Length).Where(i => !values.ContainsKey(ids[i])).DistinctBy(i => ids[i]).ToArray();
        foreach (var group in missing.GroupBy(i => prompts[i].Length).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            var (energy, greedy) = reference.Compute(rows.Select(i => prompts[i]).ToArray());
            for (var j = 0; j < rows.Length; j++) (values[ids[rows[j]]], answers[ids[rows[j]]]) = (energy[j], greedy[j]);
        }
        var hits = ids.Length - missing.Length;
        Hits += hits;
        Misses += missing.Length;
        return (ids.Select(id => values[id]).ToArray(), ids.Select(id => answers[id]).ToArray(), hits, missing.Length);
    }
}
