namespace Eppo.Core.Ppo;

/// <summary>
/// Per-token estimators of KL(π ‖ π_ref) from log-probabilities of the sampled tokens (Schulman, "Approximating KL
/// divergence"). Inputs and outputs have the same shape, e.g. (B, T); callers mask.
/// </summary>
public static class KlEstimators
{
    /// <summary>k1 = logπ − logπ_ref: unbiased, can be negative per token.</summary>
    public static Tensor K1(Tensor logProbs, Tensor refLogProbs) => logProbs - refLogProbs;

    /// <summary>k3 = exp(logπ_ref − logπ) − (logπ_ref − logπ) − 1: unbiased, never negative, lower variance.</summary>
    public static Tensor K3(Tensor logProbs, Tensor refLogProbs)
    {
        using var scope = NewDisposeScope();
        var logRatio = refLogProbs - logProbs;
        return (logRatio.exp() - logRatio).Minus(1).MoveToOuterDisposeScope();
    }

    public static Tensor Estimate(KlEstimator estimator, Tensor logProbs, Tensor refLogProbs) => estimator switch
    {
        KlEstimator.K1 => K1(logProbs, refLogProbs),
        KlEstimator.K3 => K3(logProbs, refLogProbs),
        _ => throw new EppoException($"unknown KL estimator '{estimator}' (expected K1 or K3)"),
    };
}

public enum KlEstimator { K1, K3 }
