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
        var c = new SpecCheck(source, "sft.");
        c.Require(!string.IsNullOrWhiteSpace(Source), "source", "must be \"train\" or a checkpoint directory");
        c.Require(Source == "train" || Directory.Exists(Source), "source", $"'{Source}' is neither \"train\" nor an existing checkpoint directory");
        c.Within(Steps, 1, 10_000_000, "steps");
        c.Within(BatchSize, 1, 65_536, "batch_size");
        c.LearningRate(Lr, "lr");
        c.Within(Examples, 1, 10_000_000, "examples");
    }
}
