namespace Eppo.Core.Ppo;

/// <summary>
/// "PPO w/ LP" as in the official EPPO repo: r' = r + (1 − L/N)·σ_r, L the response length in tokens, N a length
/// scale, σ_r the running standard deviation of RM scores. Short answers gain, answers longer than N lose.
/// </summary>
public static class LengthPenalty
{
    /// <summary>rewards (B), lengths (B) → r' (B).</summary>
    public static float[] Apply(float[] rewards, int[] lengths, double lengthScale, double rewardStd)
    {
        if (rewards.Length != lengths.Length)
            throw new EppoException($"length penalty: {rewards.Length} rewards but {lengths.Length} lengths");
        if (!(lengthScale > 0)) throw new EppoException($"length penalty scale N must be > 0, got {lengthScale}");
        if (!(rewardStd >= 0) || !double.IsFinite(rewardStd)) throw new EppoException($"length penalty σ_r must be finite and ≥ 0, got {rewardStd}");
        Finite.Require(rewards, "reward", "length-penalty");
        var shaped = new float[rewards.Length];
        for (var b = 0; b < rewards.Length; b++)
        {
            if (lengths[b] < 0) throw new EppoException($"length penalty: sample {b} has negative length {lengths[b]}");
            shaped[b] = (float)(rewards[b] + (1 - lengths[b] / lengthScale) * rewardStd);
        }
        return shaped;
    }

    /// <summary>
    /// Updates the running moments with this batch's RM scores first, then applies the penalty with their σ_r.
    /// </summary>
    public static float[] Apply(float[] rewards, int[] lengths, double lengthScale, RunningMoments scoreMoments)
    {
        scoreMoments.Update(rewards);
        return Apply(rewards, lengths, lengthScale, scoreMoments.Std);
    }
}
