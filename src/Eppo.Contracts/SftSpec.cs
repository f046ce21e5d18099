namespace Eppo.Contracts;

/// <summary>Where the SFT policy comes from: "train" (on the synthetic task) or a checkpoint directory.</summary>
public sealed record SftSpec
{
    public string Source { get; init; } = "train";
    public int Steps { get; init; } = 1500;
    public int BatchSize { get; init; } = 128;
    public double Lr { get; init; } = 3e-3;
    public int Examples { get; init; } = 20000;

    public void Validate(string source)
    {
        void Require(bool ok, string field, string what)
        {
            if (!ok) throw new EppoException($"{source}: field 'sft.{field}': {what}");
        }
        Require(!string.IsNullOrWhiteSpace(Source), "source", "must be \"train\" or a checkpoint directory");
        Require(Source == "train" || Directory.Exists(Source), "source", $"checkpoint directory '{Source}' not found");
        Require(Steps > 0, "steps", "must be positive");
        Require(BatchSize > 0, "batch_size", "must be positive");
        Require(Lr > 0 && double.IsFinite(Lr), "lr", "must be positive");
        Require(Examples > 0, "examples", "must be positive");
    }
}
