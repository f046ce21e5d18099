namespace Eppo.Core.Adapters;

/// <summary>
/// A LoRA adapter's settings, named as PEFT's adapter_config.json names them: rank r, lora_alpha, target_modules,
/// use_rslora. Each targeted linear gains y += s·B·A·x with A (r, in), B (out, r), s = α/r (α/√r with rsLoRA).
/// </summary>
public sealed record LoraConfig(int Rank, double Alpha, LoraTargets Targets, bool RsLora = false)
{
    public double Scale => RsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>The run spec's model.adapter with its defaults: r 16, alpha 2r, all-linear, no rsLoRA.</summary>
    public static LoraConfig Of(Contracts.AdapterSpec spec)
    {
        var rank = spec.R ?? Contracts.AdapterSpec.DefaultRank;
        return new LoraConfig(rank, spec.Alpha ?? 2.0 * rank, LoraTargets.Of(spec.Targets ?? Contracts.AdapterSpec.DefaultTargets), spec.Rslora ?? false).Validate();
    }

    public LoraConfig Validate(string field = "model.adapter")
    {
        if (Rank <= 0) throw new EppoException($"{field}.r must be a positive integer, got {Rank}");
        if (!(Alpha > 0) || !double.IsFinite(Alpha)) throw new EppoException($"{field}.alpha must be positive, got {Alpha}");
        return this;
    }
}
