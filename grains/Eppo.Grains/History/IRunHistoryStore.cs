using Eppo.Contracts;

namespace Eppo.Grains.History;

/// <summary>
/// A run's per-iteration metrics, append-only, outside grain state (which so stays the same size however long the
/// run): the run grain appends the iterations of a checkpoint when it commits it, and cuts the history back to the
/// committed iteration when it re-activates (a crash may have appended past the last commit, or cut a record short).
/// </summary>
public interface IRunHistoryStore
{
    /// <summary>Appends consecutive iterations, the first of them the one after the last stored.</summary>
    Task AppendAsync(string runId, IReadOnlyList<IterationMetrics> records);

    /// <summary>
    /// Iterations <paramref name="from"/> … <paramref name="from"/> + <paramref name="count"/> − 1 in order, as many as
    /// are stored; a record cut short by a crash ends the read. Reads those records, not the history before them.
    /// </summary>
    Task<IReadOnlyList<IterationMetrics>> ReadAsync(string runId, int from, int count);

    /// <summary>Drops every record from iteration <paramref name="iterations"/> on, and any partial record.</summary>
    Task TruncateAsync(string runId, int iterations);
}
