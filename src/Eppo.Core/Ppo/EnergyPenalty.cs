namespace Eppo.Core.Ppo;

/// <summary>EPPO's reward shaping knobs. Defaults are the official code's: η = 2, no floor, clip to ±5.</summary>
public sealed record EnergyPenaltyOptions(double Eta = 2.0, double? FloorCoefficient = null, double ClipBound = 5.0);

/// <summary>Shaped rewards r̂ (B) and the energy penalty Σ_m |ΔE_SFT,m − ΔE_RL,m| (B) before η, for metrics.</summary>
public sealed record EnergyShapedRewards(float[] Shaped, float[] Penalty);

/// <summary>
/// EPPO (Miao et al. 2025): r̂ = r − η·Σ_m |ΔE_SFT,m − ΔE_RL,m|, summed over probed modules m; optionally floored at
/// c·r (max(r̂, c·r)); then clipped to [−clip, clip]. ΔE is the energy loss per sample (masked mean over response tokens).
/// </summary>
public static class EnergyPenalty
{
    /// <summary>
    /// One probed module: sft, rl (B) → |ΔE_SFT − ΔE_RL| (B).
    /// </summary>
    public static float[] Penalty(float[] sftEnergy, float[] rlEnergy) => Penalty([sftEnergy], [rlEnergy]);

    /// <summary>
    /// Several probed modules: sftByModule[m], rlByModule[m] are (B) arrays → Σ_m |ΔE_SFT,m − ΔE_RL,m| (B): the paper's
    /// variant of <see cref="EnergyVariant.Penalty"/>, which the learner calls with the run's variant.
    /// </summary>
    public static float[] Penalty(IReadOnlyList<float[]> sftByModule, IReadOnlyList<float[]> rlByModule) =>
        EnergyVariant.Paper.Penalty(sftByModule, rlByModule, [], 0);

    /// <summary>Tensor variant: sft, rl (B, M) → Σ_m |ΔE_SFT − ΔE_RL| (B).</summary>
    public static Tensor Penalty(Tensor sftEnergy, Tensor rlEnergy)
    {
        if (sftEnergy.dim() != 2 || !sftEnergy.shape.SequenceEqual(rlEnergy.shape))
            throw new EppoException($"energy penalty expects two (B, M) tensors; got [{string.Join(", ", sftEnergy.shape)}] and [{string.Join(", ", rlEnergy.shape)}]");
        using var scope = NewDisposeScope();
        return (sftEnergy - rlEnergy).abs().sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>rewards, penalty (B) → r̂ (B): r − η·penalty, optional floor max(r̂, c·r), clip to ±ClipBound.</summary>
    public static float[] Shape(float[] rewards, float[] penalty, EnergyPenaltyOptions options) =>
        RewardClip.Apply(Subtract(rewards, penalty, options), options.ClipBound);

    /// <summary>rewards, penalty (B) → r − η·penalty with the optional floor max(·, c·r), not yet clipped.</summary>
    public static float[] Subtract(float[] rewards, float[] penalty, EnergyPenaltyOptions options)
    {
        if (rewards.Length != penalty.Length)
            throw new EppoException($"energy penalty: {rewards.Length} rewards but {penalty.Length} penalties");
        Finite.Require(rewards, "reward", "energy-penalty");
        Finite.Require(penalty, "energy penalty", "energy-penalty");
        var shaped = new float[rewards.Length];
        for (var b = 0; b < rewards.Length; b++)
        {
            double r = rewards[b];
            var value = r - options.Eta * penalty[b];
            if (options.FloorCoefficient is { } c) value = Math.Max(value, c * r);
            shaped[b] = (float)value;
        }
        return shaped;
    }

    /// <summary>Tensor variant of <see cref="Shape(float[], float[], EnergyPenaltyOptions)"/>: rewards, penalty (B) → (B).</summary>
    public static Tensor Shape(Tensor rewards, Tensor penalty, EnergyPenaltyOptions options)
    {
        using var scope = NewDisposeScope();
        var shaped = rewards - penalty.Times(options.Eta);
        if (options.FloorCoefficient is { } c) shaped = maximum(shaped, rewards.Times(c));
        return RewardClip.Apply(shaped, options.ClipBound).MoveToOuterDisposeScope();
    }

    /// <summary>Penalty and shaping in one call, for grains: energies per module (each (B)), rewards (B).</summary>
    public static EnergyShapedRewards Apply(float[] rewards, IReadOnlyList<float[]> sftByModule, IReadOnlyList<float[]> rlByModule, EnergyPenaltyOptions options)
    {
        var penalty = Penalty(sftByModule, rlByModule);
        return new EnergyShapedRewards(Shape(rewards, penalty, options), penalty);
    }
}
