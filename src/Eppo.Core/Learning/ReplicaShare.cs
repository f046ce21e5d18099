using Eppo.Core.Iteration;

namespace Eppo.Core.Learning;

/// <summary>
/// Which rows of an iteration's batch a learner replica learns on: replica <see cref="Replica"/> of
/// <see cref="Replicas"/> holds the consecutive <see cref="Rows"/> (<see cref="IterationPlan.Chunks"/>); a single
/// learner holds them all.
/// </summary>
public sealed record ReplicaShare(int Replica, int Replicas, int BatchRows)
{
    public static ReplicaShare Whole(int batchRows) => new(0, 1, batchRows);

    public bool IsWhole => Replicas == 1;

    public Range Rows => IterationPlan.Chunks(BatchRows, Replicas).ElementAt(Replica);

    /// <summary>The rows of <paramref name="batchRows"/> (indices into the batch) that this replica holds, as its own indices, in the given order.</summary>
    public long[] Local(IEnumerable<int> batchRows)
    {
        var (start, end) = (Rows.Start.Value, Rows.End.Value);
        return batchRows.Where(r => r >= start && r < end).Select(r => (long)(r - start)).ToArray();
    }
}
