namespace Eppo.Core.Learning;

/// <summary>
/// Turns what a learner computed over its own rows into the whole batch's. One learner holds every row, so its sums
/// are the batch's; several data-parallel replicas add theirs, in replica order, so each sees the same total (and the
/// same bits), and concatenate their per-row values in replica order, which is the batch's row order.
/// </summary>
public interface IBatchReduction
{
    /// <summary>Element-wise sum over the replicas of <paramref name="local"/> (the same length on every replica).</summary>
    float[] Sum(float[] local);

    /// <summary>Every replica's <paramref name="local"/> (one value per row it holds), concatenated in replica order.</summary>
    float[] Gather(float[] local);
}

/// <summary>The learner holds the whole batch.</summary>
public sealed class WholeBatch : IBatchReduction
{
    public static readonly WholeBatch Instance = new();

    public float[] Sum(float[] local) => local;

    public float[] Gather(float[] local) => local;
}
