namespace Eppo.Contracts;

/// <summary>Size of the models trained from scratch for the synthetic task (policy, critic and reward model share it).</summary>
public sealed record ModelSpec
{
    public string Family { get; init; } = "llama";
    public int HiddenSize { get; init; } = 64;
    public int Layers { get; init; } = 2;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 4;
    public int IntermediateSize { get; init; } = 176;

    public void Validate(string source)
    {
        var c = new SpecCheck(source, "model.");
        c.Require(Family is "llama" or "gpt2", "family", $"unknown family '{Family}' (expected llama or gpt2)");
        c.Within(HiddenSize, 1, 65_536, "hidden_size");
        c.Within(Layers, 1, 1024, "layers");
        c.Require(Heads > 0 && HiddenSize % Heads == 0, "heads", $"must be positive and divide hidden_size ({HiddenSize})");
        c.Require(KvHeads > 0 && Heads % KvHeads == 0, "kv_heads", $"must be positive and divide heads ({Heads})");
        c.Within(IntermediateSize, 1, 262_144, "intermediate_size");
    }
}
