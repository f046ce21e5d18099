using Eppo.Contracts.Messages;

namespace Eppo.Core.Iteration;

/// <summary>
/// Per-prompt cache of the SFT reference (<see cref="ReferenceEntry"/>): ΔE_SFT, the SFT model's greedy answer it was
/// measured on, the official variant's per-module energies, and PAR's r_ref once the driver has scored the answer.
/// Misses are computed in groups of equal prompt length (no padding), so a prompt's values do not depend on which
/// other prompts missed with it — a recomputed cache equals the original bit for bit. The cache holds the entries;
/// the caller holds the model (<see cref="SftEnergyReference"/>) and keeps what <see cref="Get"/> computed where it
/// persists entries (the grain: an append log).
/// </summary>
public sealed class EnergyReferenceCache
{
    readonly Dictionary<string, ReferenceEntry> entries = new();

    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public IReadOnlyDictionary<string, ReferenceEntry> Entries => entries;

    /// <summary>Entries kept elsewhere (a log, older grain state); a later entry of the same prompt replaces an earlier one.</summary>
    public void Restore(IEnumerable<KeyValuePair<string, ReferenceEntry>> restored)
    {
        foreach (var (id, entry) in restored) entries[id] = entry;
    }

    /// <summary>
    /// The reference of each prompt (hits from the cache; misses computed by <paramref name="reference"/>), and the
    /// entries computed for the misses. An entry without the module energies <paramref name="reference"/> reads counts
    /// as a miss.
    /// </summary>
    public (ReferenceEnergies Reference, IReadOnlyList<KeyValuePair<string, ReferenceEntry>> Computed) Get(string[] ids, int[][] prompts, SftEnergyReference reference)
    {
        var missing = Enumerable.Range(0, ids.Length)
            .Where(i => !entries.TryGetValue(ids[i], out var e) || (reference.ReadsModules && e.ModuleEnergies is null))
            .DistinctBy(i => ids[i]).ToArray();
        var computed = new List<KeyValuePair<string, ReferenceEntry>>(missing.Length);
        foreach (var group in missing.GroupBy(i => prompts[i].Length).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            var (energy, greedy, modules) = reference.Compute(rows.Select(i => prompts[i]).ToArray());
            for (var j = 0; j < rows.Length; j++)
            {
                var entry = new ReferenceEntry(energy[j], greedy[j], modules?[j]);
                entries[ids[rows[j]]] = entry;
                computed.Add(KeyValuePair.Create(ids[rows[j]], entry));
            }
        }
        var hits = ids.Length - missing.Length;
        Hits += hits;
        Misses += missing.Length;
        var found = ids.Select(id => entries[id]).ToArray();
        var moduleCount = found.Length > 0 ? found[0].ModuleEnergies?.Length ?? 0 : 0;
        return (new ReferenceEnergies(
            found.Select(e => e.Energy).ToArray(),
            found.Select(e => e.Answer).ToArray(),
            hits,
            reference.ReadsModules ? Enumerable.Range(0, moduleCount).Select(m => found.Select(e => e.ModuleEnergies![m]).ToArray()).ToArray() : null,
            found.Select(e => e.ReferenceScore).ToArray()), computed);
    }

    /// <summary>PAR's r_ref of the prompts' cached answers; returns the entries it changed (a prompt not cached is left out).</summary>
    public IReadOnlyList<KeyValuePair<string, ReferenceEntry>> SetReferenceScores(string[] ids, float[] scores)
    {
        if (scores.Length != ids.Length) throw new EppoException($"energy reference: {scores.Length} reference scores for {ids.Length} prompts");
        var changed = new List<KeyValuePair<string, ReferenceEntry>>();
        for (var i = 0; i < ids.Length; i++)
            if (entries.TryGetValue(ids[i], out var entry))
                changed.Add(KeyValuePair.Create(ids[i], entries[ids[i]] = entry with { ReferenceScore = scores[i] }));
        return changed;
    }
}
