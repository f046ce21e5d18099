namespace Eppo.Core.Ppo;

/// <summary>PPO's clipped value loss (OpenRLHF ValueLoss).</summary>
public static class ValueLoss
{
    /// <summary>
    /// values, oldValues, returns, mask: (B, T). V_clip = V_old + clip(V − V_old, −ε, ε);
    /// loss = ½ · masked mean of max((V_clip − R)², (V − R)²): a scalar with gradient through values.
    /// </summary>
    public static Tensor Clipped(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double clipEps)
    {
        using var scope = NewDisposeScope();
        var old = oldValues.detach();
        var target = returns.detach();
        var valuesClipped = old + (values - old).clamp(-clipEps, clipEps);
        var worst = maximum((valuesClipped - target).square(), (values - target).square());
        return (0.5 * Masked.Mean(worst, mask)).MoveToOuterDisposeScope();
    }
}
