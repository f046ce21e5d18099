namespace Eppo.Core.Ppo;

/// <summary>
/// Generalised advantage estimation (Schulman et al. 2016), as in OpenRLHF's get_advantages_and_returns.
/// </summary>
public static class Gae
{
    /// <summary>
    /// rewards, values, mask: (B, T), mask 1 on response tokens. Walking t = T−1 … 0:
    ///   δ_t = r_t + γ·V_{t+1} − V_t,   A_t = δ_t + γλ·A_{t+1},   returns_t = A_t + V_t,
    /// where rewards and values are first multiplied by the mask, so the value after the last response token is 0
    /// (the episode ends there). The recursion restarts at every masked position, so nothing leaks from padding
    /// or across a gap; advantages and returns are 0 on masked positions. Both outputs are (B, T), no gradient.
    /// </summary>
    public static (Tensor Advantages, Tensor Returns) Compute(Tensor rewards, Tensor values, Tensor mask, double gamma, double lambda)
    {
        RequireSameShape(rewards, values, mask);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var m = mask.to_type(values.dtype);
        var r = rewards.to_type(values.dtype) * m;
        var v = values.detach() * m;
        var steps = (int)v.shape[1];
        var perStep = new Tensor[steps];
        var nextAdvantage = zeros_like(v[.., 0]);   // (B)
        var nextValue = zeros_like(v[.., 0]);       // (B)
        for (var t = steps - 1; t >= 0; t--)
        {
            var delta = r[.., t].Plus(nextValue.Times(gamma)) - v[.., t];
            nextAdvantage = delta.Plus(nextAdvantage.Times(gamma * lambda)) * m[.., t];
            nextValue = v[.., t];
            perStep[t] = nextAdvantage;
        }
        var advantages = stack(perStep, 1);        // (B, T)
        var returns = advantages.Plus(v) * m;
        return (advantages.MoveToOuterDisposeScope(), returns.MoveToOuterDisposeScope());
    }

    static void RequireSameShape(Tensor rewards, Tensor values, Tensor mask)
    {
        if (values.dim() != 2) throw new EppoException($"GAE expects (B, T) tensors; values has shape [{string.Join(", ", values.shape)}]");
        if (!rewards.shape.SequenceEqual(values.shape) || !mask.shape.SequenceEqual(values.shape))
            throw new EppoException($"GAE shape mismatch: rewards [{string.Join(", ", rewards.shape)}], values [{string.Join(", ", values.shape)}], mask [{string.Join(", ", mask.shape)}]");
    }
}
