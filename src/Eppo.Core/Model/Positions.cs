namespace Eppo.Core.Model;

/// <summary>Per-row token positions for padded batches.</summary>
public static class Positions
{
    /// <summary>mask (B, T) 1 = real → positions (B, T) int64: cumsum(mask) − 1, clamped at 0 (left pads get 0).</summary>
    public static Tensor FromMask(Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return attentionMask.to_type(ScalarType.Int64).cumsum(-1).Minus(1).ClampMin(0).MoveToOuterDisposeScope();
    }
}
