namespace Eppo.Core.Learning;

/// <summary>
/// Turns the sums a learner computed over its own rows into sums over the whole batch. One learner holds every row,
/// so its sums are the batch's; several data-parallel replicas add theirs, in a fixed order, so each sees the same total.
/// </summary>
public interface IBatchReduction
{
    float[] Sum(float[] local);
}

/// <summary>The learner holds the whole batch.</summary>
public sealed class WholeBatch : IBatchReduction
{
    public static readonly WholeBatch Instance = new();

    public float[] Sum(float[] local) => local;
}
