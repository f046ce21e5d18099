namespace Eppo.Core.Ppo;

/// <summary>Loss (scalar, with gradient) and two detached diagnostics (scalars).</summary>
public sealed record PolicyLossResult(Tensor Loss, Tensor ClipFraction, Tensor ApproxKl);

/// <summary>PPO's clipped surrogate objective (Schulman et al. 2017).</summary>
public static class PolicyLoss
{
    /// <summary>
    /// logProbs, oldLogProbs, advantages, mask: (B, T). ratio = exp(logπ − logπ_old);
    /// loss = masked mean over all response tokens of −min(ratio·A, clip(ratio, 1−ε, 1+ε)·A) (token-level mean as in TRL);
    /// clipFraction = share of tokens where the clipped term was the smaller one (the clip was active);
    /// approxKl = ½·masked mean of (logπ − logπ_old)² (TRL's approxkl).
    /// </summary>
    public static PolicyLossResult Clipped(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask, double clipEps)
    {
        using var scope = NewDisposeScope();
        var logRatio = logProbs - oldLogProbs.detach();
        var ratio = logRatio.exp();
        var adv = advantages.detach();
        var unclipped = -adv * ratio;
        var clipped = -adv * ratio.Clamp(1 - clipEps, 1 + clipEps);
        var loss = Masked.Mean(maximum(unclipped, clipped), mask);
        using var noGrad = no_grad();
        var clipFraction = Masked.Mean(clipped.gt(unclipped).to_type(logProbs.dtype), mask);
        var approxKl = Masked.Mean(logRatio.detach().Squared(), mask).Times(0.5);
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), clipFraction.MoveToOuterDisposeScope(), approxKl.MoveToOuterDisposeScope());
    }
}
