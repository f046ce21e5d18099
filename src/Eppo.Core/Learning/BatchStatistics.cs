using Eppo.Core.Ppo;

namespace Eppo.Core.Learning;

/// <summary>
/// Statistics over the whole batch, built from sums a caller can combine (<see cref="IBatchReduction"/>): advantage
/// whitening, masked means for metrics, the mean sequence KL the controller reads. With one learner they are the
/// operations of <see cref="Masked"/>, in the same order on the same numbers, so the same bits.
/// </summary>
public static class BatchStatistics
{
    /// <summary>
    /// values, mask (B, R) → (values − μ)/√(σ² + 1e-8), μ and the unbiased σ² over the kept positions of the whole batch
    /// (TRL's masked_whiten). Masked positions are transformed too; callers mask them.
    /// </summary>
    public static Tensor Whiten(Tensor values, Tensor mask, IBatchReduction reduce)
    {
        using var scope = NewDisposeScope();
        var m = mask.to_type(values.dtype);
        var first = reduce.Sum([m.sum().item<float>(), (values * m).sum().item<float>()]);
        if (first[0] == 0) throw new EppoException("masked mean over an empty mask: no position has mask 1");
        if (first[0] < 2) throw new EppoException("unbiased masked variance needs at least two positions with mask 1");
        var n = Scalar(first[0], values);
        var mean = Scalar(first[1], values) / n;
        var centred = reduce.Sum([((values - mean).Squared() * m).sum().item<float>()]);
        var variance = Scalar(centred[0], values) / n * n / n.Minus(1);
        return ((values - mean) * variance.Plus(1e-8).rsqrt()).MoveToOuterDisposeScope();
    }

    /// <summary>values, mask (B, R) → Σ mask·values / Σ mask over the whole batch.</summary>
    public static float MaskedMean(Tensor values, Tensor mask, IBatchReduction reduce)
    {
        using var scope = NewDisposeScope();
        var m = mask.to_type(values.dtype);
        var sums = reduce.Sum([m.sum().item<float>(), (values * m).sum().item<float>()]);
        if (sums[0] == 0) throw new EppoException("masked mean over an empty mask: no position has mask 1");
        return sums[1] / sums[0];
    }

    /// <summary>values, mask (B, R) → the mean over the whole batch's rows of Σ_t mask·values (a sequence's KL, say).</summary>
    public static float MeanRowSum(Tensor values, Tensor mask, IBatchReduction reduce)
    {
        using var scope = NewDisposeScope();
        var sums = reduce.Sum([(values * mask).sum(1).sum().item<float>(), values.shape[0]]);
        return sums[0] / sums[1];
    }

    static Tensor Scalar(float value, Tensor like) => tensor(value, dtype: like.dtype, device: like.device);
}
