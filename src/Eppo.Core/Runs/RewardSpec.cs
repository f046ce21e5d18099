namespace Eppo.Core.Runs;

/// <summary>
/// The reward the policy optimises: "train" (a proxy RM trained on noisy, biased gold labels — the HackBench protocol),
/// "gold" (the programmatic judge itself: no hacking possible, a control) or a checkpoint directory.
/// </summary>
public sealed record RewardSpec
{
    public string Source { get; init; } = "train";
    public int Pairs { get; init; } = 15000;
    /// <summary>K: responses sampled per prompt, all distinct pairs among them labelled (InstructGPT's K-wise comparisons).</summary>
    public int ResponsesPerPrompt { get; init; } = 4;
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 128;
    public double Lr { get; init; } = 1e-3;
    public double FlipProbability { get; init; } = 0.25;
    public double LengthBias { get; init; } = 0.3;
    public double CautionBias { get; init; } = 0.6;

    public void Validate(string source)
    {
        void Require(bool ok, string field, string what)
        {
            if (!ok) throw new EppoException($"{source}: field 'reward.{field}': {what}");
        }
        Require(!string.IsNullOrWhiteSpace(Source), "source", "must be \"train\", \"gold\" or a checkpoint directory");
        Require(Source is "train" or "gold" || Directory.Exists(Source), "source", $"checkpoint directory '{Source}' not found");
        Require(Pairs > 0, "pairs", "must be positive");
        Require(ResponsesPerPrompt is >= 2 and <= 16, "responses_per_prompt", "must be between 2 and 16");
        Require(Epochs > 0, "epochs", "must be positive");
        Require(BatchSize > 0, "batch_size", "must be positive");
        Require(Lr > 0 && double.IsFinite(Lr), "lr", "must be positive");
        Require(FlipProbability is >= 0 and < 0.5, "flip_probability", "must be in [0, 0.5)");
        Require(double.IsFinite(LengthBias), "length_bias", "must be finite");
        Require(double.IsFinite(CautionBias), "caution_bias", "must be finite");
    }
}
