using Eppo.Contracts;
using Eppo.Grains.History;

namespace Eppo.Grains.Runs;

/// <summary>
/// The run grain's view of its history: iterations since the last commit in memory (appended to the store when the
/// commit happens), and a bounded tail of the latest iterations for status. Everything else is read from the store.
/// </summary>
public sealed class RunHistory(IRunHistoryStore store, string runId)
{
    /// <summary>How many of the latest iterations status carries (for the console's charts).</summary>
    public const int TailSize = 200;

    /// <summary>The most iterations one history call returns.</summary>
    public const int MaxPage = 100_000;

    readonly List<IterationMetrics> pending = [];
    List<IterationMetrics> tail = [];

    public IReadOnlyList<IterationMetrics> Tail => tail;

    /// <summary>Back to the committed iterations: drops what was not committed, in memory and in the store.</summary>
    public async Task ResetAsync(int committedIterations)
    {
        pending.Clear();
        await store.TruncateAsync(runId, committedIterations);
        var first = Math.Max(0, committedIterations - TailSize);
        tail = (await store.ReadAsync(runId, first, committedIterations - first)).ToList();
    }

    public void Add(IterationMetrics metrics)
    {
        pending.Add(metrics);
        tail.Add(metrics);
        if (tail.Count > TailSize) tail.RemoveAt(0);
    }

    /// <summary>Appends the pending iterations; the last one names the checkpoint written after it.</summary>
    public async Task CommitAsync(string checkpoint)
    {
        if (pending.Count == 0) return;
        var last = pending[^1] with { Checkpoint = checkpoint };
        pending[^1] = last;
        if (tail.Count > 0 && tail[^1].Iteration == last.Iteration) tail[^1] = last;
        await store.AppendAsync(runId, pending);
        pending.Clear();
    }

    /// <summary>Iterations [from, from + count) of the <paramref name="committedIterations"/> committed ones and the pending ones.</summary>
    public async Task<IReadOnlyList<IterationMetrics>> PageAsync(int from, int count, int committedIterations)
    {
        if (from < 0 || count is < 1 or > MaxPage) throw new EppoException($"history: from must be ≥ 0 and count in 1..{MaxPage} (got {from}, {count})");
        // Only the page's own lines are read from the store (its index says where they are).
        var committed = from < committedIterations ? await store.ReadAsync(runId, from, Math.Min(count, committedIterations - from)) : [];
        return committed.Concat(pending).Where(m => m.Iteration >= from).Take(count).ToArray();
    }
}
