namespace Eppo.Core.Ppo;

/// <summary>Entropy of the next-token distribution.</summary>
public static class Entropy
{
    /// <summary>logits (…, V) → (…): H = logsumexp(z) − Σ softmax(z)·z, numerically stable for large logits.</summary>
    public static Tensor FromLogits(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var probabilities = logits.softmax(-1);
        var entropy = logits.logsumexp(-1) - (probabilities * logits).sum(-1);
        return entropy.MoveToOuterDisposeScope();
    }

    /// <summary>logits (B, T, V), mask (B, T) → scalar mean entropy over response tokens.</summary>
    public static Tensor MaskedMean(Tensor logits, Tensor mask)
    {
        using var scope = NewDisposeScope();
        return Masked.Mean(FromLogits(logits), mask).MoveToOuterDisposeScope();
    }
}
