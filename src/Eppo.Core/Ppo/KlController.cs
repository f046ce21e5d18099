namespace Eppo.Core.Ppo;

/// <summary>The KL coefficient β of the per-token penalty −β·KL, updated once per PPO iteration.</summary>
public interface IKlController
{
    double Value { get; }

    /// <summary>currentKl: the mean per-sequence KL of the last batch; nSteps: samples (episodes) in it.</summary>
    void Update(double currentKl, int nSteps);
}

/// <summary>β stays fixed.</summary>
public sealed class FixedKlController(double value) : IKlController
{
    public double Value { get; } = value;

    public void Update(double currentKl, int nSteps) { }
}

/// <summary>
/// Ziegler et al. 2019 (as in OpenRLHF's AdaptiveKLController): e = clip(KL/target − 1, −0.2, 0.2),
/// β ← β·(1 + e·nSteps/horizon). Value is settable so a resumed run continues from its saved β.
/// </summary>
public sealed class AdaptiveKlController : IKlController
{
    public AdaptiveKlController(double initialValue, double target, double horizon)
    {
        if (target <= 0) throw new EppoException($"adaptive KL target must be > 0, got {target}");
        if (horizon <= 0) throw new EppoException($"adaptive KL horizon must be > 0, got {horizon}");
        Value = initialValue;
        Target = target;
        Horizon = horizon;
    }

    public double Value { get; set; }
    public double Target { get; }
    public double Horizon { get; }

    public void Update(double currentKl, int nSteps)
    {
        var proportionalError = Math.Clamp(currentKl / Target - 1, -0.2, 0.2);
        Value *= 1 + proportionalError * nSteps / Horizon;
    }
}
