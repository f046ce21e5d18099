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
        void Require(bool ok, string field, string what)
        {
            if (!ok) throw new EppoException($"{source}: field 'model.{field}': {what}");
        }
        Require(Family is "llama" or "gpt2", "family", $"unknown family '{Family}' (expected llama or gpt2)");
        Require(HiddenSize > 0, "hidden_size", "must be positive");
        Require(Layers > 0, "layers", "must be positive");
        Require(Heads > 0 && HiddenSize % Heads == 0, "heads", $"must be positive and divide hidden_size ({HiddenSize})");
        Require(KvHeads > 0 && Heads % KvHeads == 0, "kv_heads", $"must be positive and divide heads ({Heads})");
        Require(IntermediateSize > 0, "intermediate_size", "must be positive");
    }
}
