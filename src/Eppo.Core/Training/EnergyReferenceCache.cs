namespace Eppo.Core.Training;

/// <summary>
/// Per-prompt cache of ΔE_SFT. Misses are computed in groups of equal prompt length (no padding), so a prompt's value
/// does not depend on which other prompts missed with it — a recomputed cache equals the original bit for bit.
/// </summary>
public sealed class EnergyReferenceCache(SftEnergyReference reference) : IDisposable
{
    public void Dispose() => reference.Dispose();

    readonly Dictionary<string, float> values = new();

    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public IReadOnlyDictionary<string, float> Values => values;

    public void Restore(IEnumerable<KeyValuePair<string, float>> entries)
    {
        foreach (var (id, value) in entries) values[id] = value;
    }

    /// <summary>ΔE_SFT for each prompt, and how many were already cached.</summary>
    public (float[] Energy, int Hits, int Misses) Get(string[] ids, int[][] prompts)
    {
        var missing = Enumerable.Range(0, ids.Length).Where(i => !values.ContainsKey(ids[i])).DistinctBy(i => ids[i]).ToArray();
        foreach (var group in missing.GroupBy(i => prompts[i].Length).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            var energy = reference.Compute(rows.Select(i => prompts[i]).ToArray());
            for (var j = 0; j < rows.Length; j++) values[ids[rows[j]]] = energy[j];
        }
        var hits = ids.Length - missing.Length;
        Hits += hits;
        Misses += missing.Length;
        return (ids.Select(id => values[id]).ToArray(), hits, missing.Length);
    }
}
