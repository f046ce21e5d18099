namespace Eppo.Core.Preparation;

/// <summary>
/// The reward models' training losses, over one score vector per batch in which pairs index responses (each response
/// scored once: K-wise comparisons). Tested against PyTorch in RewardLossesTests.
/// </summary>
public static class RewardLosses
{
    /// <summary>Bradley–Terry: −mean log σ(s[chosen] − s[rejected]) over the pairs.</summary>
    public static Tensor BradleyTerry(Tensor scores, long[] chosen, long[] rejected)
    {
        using var scope = NewDisposeScope();
        using var c = tensor(chosen);
        using var r = tensor(rejected);
        return (-nn.functional.logsigmoid(scores.index(c) - scores.index(r)).mean()).MoveToOuterDisposeScope();
    }

    /// <summary>Pearson correlation of two vectors (B); 0 when either is constant (the ε keeps it finite).</summary>
    public static Tensor Correlation(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var dx = x - x.mean();
        var dy = y - y.mean();
        return ((dx * dy).sum() / ((dx.square().sum() * dy.square().sum()).sqrt() + 1e-8)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ODIN (Chen et al. 2024): Bradley–Terry on r_Q + r_L, plus lengthWeight·(|ρ(r_Q, L)| − ρ(r_L, L)) — the quality head
    /// decorrelated from length, the length head correlated with it — plus orthogonalWeight·|w_Q · w_L| on the head's
    /// two rows. quality, length, lengths (B); headWeight (2, C).
    /// </summary>
    public static Tensor Odin(Tensor quality, Tensor length, Tensor lengths, Tensor headWeight, long[] chosen, long[] rejected,
        double lengthWeight, double orthogonalWeight)
    {
        using var scope = NewDisposeScope();
        var ranking = BradleyTerry(quality + length, chosen, rejected);
        var lengthLoss = Correlation(quality, lengths).abs() - Correlation(length, lengths);
        var orthogonal = (headWeight[0] * headWeight[1]).sum().abs();
        return (ranking + lengthLoss * lengthWeight + orthogonal * orthogonalWeight).MoveToOuterDisposeScope();
    }

    /// <summary>KL(N(μ, σ²) ‖ N(0, 1)) = −½ Σ_d (1 + log σ² − μ² − σ²), summed over the latent, averaged over rows (B, L) → scalar.</summary>
    public static Tensor GaussianKl(Tensor mean, Tensor logVariance)
    {
        using var scope = NewDisposeScope();
        return ((1 + logVariance - mean.square() - logVariance.exp()).sum(-1).mean() * -0.5).MoveToOuterDisposeScope();
    }

    /// <summary>InfoRM (Miao et al. 2024): Bradley–Terry on rewards decoded from sampled latents, plus β·KL of their posteriors.</summary>
    public static Tensor InfoRm(Tensor sampledRewards, Tensor mean, Tensor logVariance, long[] chosen, long[] rejected, double beta)
    {
        using var scope = NewDisposeScope();
        return (BradleyTerry(sampledRewards, chosen, rejected) + GaussianKl(mean, logVariance) * beta).MoveToOuterDisposeScope();
    }
}
