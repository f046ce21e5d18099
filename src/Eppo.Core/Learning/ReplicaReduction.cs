namespace Eppo.Core.Learning;

/// <summary>
/// How data-parallel replicas' contributions to one exchange become the answer every replica receives: element-wise
/// sums added in replica order (float addition is not associative: a fixed order gives every replica, and every rerun,
/// the same bits), or per-row values concatenated in replica order.
/// </summary>
public static class ReplicaReduction
{
    /// <param name="parts">One contribution per replica, in replica order.</param>
    public static float[] Combine(IReadOnlyList<float[]> parts, bool gather)
    {
        if (gather) return parts.SelectMany(p => p).ToArray();
        var length = parts[0].Length;
        for (var r = 1; r < parts.Count; r++)
            if (parts[r].Length != length)
                throw new EppoException($"data-parallel learner: replica {r} sent {parts[r].Length} values to a sum of {length} (the replicas disagree about the model or the batch)");
        var sum = (float[])parts[0].Clone();
        for (var r = 1; r < parts.Count; r++)
        {
            var part = parts[r];
            for (var i = 0; i < length; i++) sum[i] += part[i];
        }
        return sum;
    }
}
