namespace Eppo.Core.Ppo;

/// <summary>
/// Per-token rewards for PPO (OpenRLHF compute_reward): −β·KL on every response token, plus the sequence score at
/// the last response token. The mask is 1 on response tokens only (prompt, padding and EOS are 0), so "last" is the
/// last position where the mask is 1.
/// </summary>
public static class RewardAssembly
{
    /// <summary>
    /// scores (B) sequence-level (already shaped: EPPO penalty, length penalty, clip); klPerToken, mask (B, T).
    /// Returns (B, T): −β·kl·mask, plus scores[b] at (b, LastTokenIndex(mask)[b]).
    /// </summary>
    public static Tensor FromKl(Tensor scores, Tensor klPerToken, Tensor mask, double beta)
    {
        if (scores.dim() != 1 || klPerToken.dim() != 2 || !mask.shape.SequenceEqual(klPerToken.shape) || scores.shape[0] != mask.shape[0])
            throw new EppoException($"reward assembly expects scores (B) and kl, mask (B, T); got scores [{string.Join(", ", scores.shape)}], kl [{string.Join(", ", klPerToken.shape)}], mask [{string.Join(", ", mask.shape)}]");
        using var scope = NewDisposeScope();
        var m = mask.to_type(klPerToken.dtype);
        var rewards = klPerToken.detach().Times(-beta) * m;
        var last = LastTokenIndex(mask).unsqueeze(1);                                            // (B, 1)
        var atLast = zeros_like(rewards).scatter(1, last, scores.to_type(rewards.dtype).unsqueeze(1));
        return rewards.Plus(atLast).MoveToOuterDisposeScope();
    }

    /// <summary>The same with the KL per token estimated from log-probabilities of the sampled tokens (B, T).</summary>
    public static Tensor Compute(Tensor scores, Tensor logProbs, Tensor refLogProbs, Tensor mask, double beta, KlEstimator estimator = KlEstimator.K1)
    {
        using var scope = NewDisposeScope();
        var kl = KlEstimators.Estimate(estimator, logProbs.detach(), refLogProbs.detach());
        return FromKl(scores, kl, mask, beta).MoveToOuterDisposeScope();
    }

    /// <summary>mask (B, T) → (B) int64: index of the last position with mask 1. A row without one throws.</summary>
    public static Tensor LastTokenIndex(Tensor mask)
    {
        using var scope = NewDisposeScope();
        var kept = mask.to_type(ScalarType.Int64);
        var empty = kept.sum(1).EqualTo(0);
        if (empty.any().item<bool>())
            throw new EppoException($"reward assembly: sample {empty.to_type(ScalarType.Int64).argmax().item<long>()} has no response token (mask all 0)");
        var steps = mask.shape[1];
        // Position × mask is largest at the last kept position.
        var positions = ScalarSafe.Arange(0, steps, mask.device).unsqueeze(0);
        return (positions * kept).argmax(1).MoveToOuterDisposeScope();
    }
}
