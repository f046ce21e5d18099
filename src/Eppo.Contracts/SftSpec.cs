using System.Text.Json.Serialization;

namespace Eppo.Contracts;

/// <summary>
/// Where the SFT policy comes from: "train" (on the task's SFT rows) or a checkpoint directory; optionally with a PEFT
/// LoRA adapter merged in.
/// </summary>
public sealed record SftSpec
{
    public string Source { get; init; } = "train";
    /// <summary>
    /// A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors) merged into the SFT policy: into
    /// the sft.source checkpoint (the merge is then the SFT policy, nothing is trained), or into the model SFT training
    /// starts from. Left out of the JSON when null, so specs without one keep their cached models' keys.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Adapter { get; init; }
    public int Steps { get; init; } = 1500;
    public int BatchSize { get; init; } = 128;
    public double Lr { get; init; } = 3e-3;
    public int Examples { get; init; } = 20000;

    public void Validate(string source)
    {
        var c = new SpecCheck(source, "sft.");
        c.Require(!string.IsNullOrWhiteSpace(Source), "source", "must be \"train\" or a checkpoint directory");
        c.Require(Source == "train" || Directory.Exists(Source), "source", $"'{Source}' is neither \"train\" nor an existing checkpoint directory");
        c.Require(Adapter is null || Directory.Exists(Adapter), "adapter", $"directory '{Adapter}' not found (a PEFT adapter directory)");
        c.Within(Steps, 1, 10_000_000, "steps");
        c.Within(BatchSize, 1, 65_536, "batch_size");
        c.LearningRate(Lr, "lr");
        c.Within(Examples, 1, 10_000_000, "examples");
    }
}
