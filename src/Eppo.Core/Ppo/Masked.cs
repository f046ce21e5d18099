namespace Eppo.Core.Ppo;

/// <summary>
/// Statistics over the positions a mask keeps (TRL's masked_mean / masked_var / masked_whiten).
/// values and mask have the same shape, usually (B, T) with mask 1 on response tokens and 0 on prompt and padding.
/// </summary>
public static class Masked
{
    /// <summary>
    /// Σ(values·mask) / Σ mask. With <paramref name="dim"/> null: a scalar over every kept position;
    /// otherwise reduced along that dimension (e.g. dim 1 → one mean per sequence, shape (B)).
    /// An empty mask (or an empty row) throws instead of returning NaN.
    /// </summary>
    public static Tensor Mean(Tensor values, Tensor mask, long? dim = null)
    {
        using var scope = NewDisposeScope();
        var m = mask.to_type(values.dtype);
        var count = dim is null ? m.sum() : m.sum(dim.Value);
        if (count.EqualTo(0).any().item<bool>())
            throw new EppoException(dim is null
                ? "masked mean over an empty mask: no position has mask 1"
                : $"masked mean along dim {dim}: some row has no position with mask 1");
        var total = dim is null ? (values * m).sum() : (values * m).sum(dim.Value);
        return (total / count).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Variance over kept positions, a scalar. unbiased: × n/(n−1) (Bessel), n = number of kept positions;
    /// then at least two positions are required.
    /// </summary>
    public static Tensor Var(Tensor values, Tensor mask, bool unbiased = true)
    {
        using var scope = NewDisposeScope();
        var mean = Mean(values, mask);
        var variance = Mean((values - mean).Squared(), mask);
        if (unbiased)
        {
            var n = mask.to_type(values.dtype).sum();
            if (n.item<float>() < 2)
                throw new EppoException("unbiased masked variance needs at least two positions with mask 1");
            variance = variance * n / n.Minus(1);
        }
        return variance.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (values − mean)/√(var + 1e-8) with mean and unbiased var over kept positions; shiftMean false adds the mean
    /// back (scale only). Masked positions are transformed too, as in TRL: callers mask them afterwards if needed.
    /// </summary>
    public static Tensor Whiten(Tensor values, Tensor mask, bool shiftMean = true)
    {
        using var scope = NewDisposeScope();
        var mean = Mean(values, mask);
        var variance = Var(values, mask, unbiased: true);
        var whitened = (values - mean) * variance.Plus(1e-8).rsqrt();
        if (!shiftMean) whitened = whitened.Plus(mean);
        return whitened.MoveToOuterDisposeScope();
    }
}
