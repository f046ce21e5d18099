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
        var valuesClipped = old.Plus((values - old).Clamp(-clipEps, clipEps));
        var worst = maximum((valuesClipped - target).Squared(), (values - target).Squared());
        return Masked.Mean(worst, mask).Times(0.5).MoveToOuterDisposeScope();
    }
}
