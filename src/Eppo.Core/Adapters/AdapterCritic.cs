using Eppo.Core.Model;
using TorchSharp.Modules;

namespace Eppo.Core.Adapters;

/// <summary>
/// A critic on a shared frozen base: its own LoRA adapter and a value head (C → 1) on the adapted trunk's hidden
/// states. State-dict keys: "adapter.…lora_A.weight", "value_head.weight".
/// </summary>
public sealed class AdapterCritic : nn.Module
{
    readonly LoraAdapter adapter;
    readonly Linear value_head;

    public AdapterCritic(LoraConfig config, DecoderModel baseModel, int adapterSeed, int headSeed) : base(nameof(AdapterCritic))
    {
        adapter = new LoraAdapter(config, baseModel, adapterSeed);
        value_head = nn.Linear(baseModel.Config.HiddenSize, 1, hasBias: false, device: baseModel.ParameterDevice);
        using (no_grad())
        using (var generator = SeededInit.Generator(headSeed, baseModel.ParameterDevice))
            SeededInit.Normal(value_head.weight!, 0.02, generator);
        RegisterComponents();
    }

    public LoraAdapter Adapter => adapter;

    /// <summary>V (B, R) of the state before each response token, the base read through this critic's adapter.</summary>
    public Tensor Values(DecoderModel baseModel, SequenceBatch batch)
    {
        using var scope = NewDisposeScope();
        var (hidden, _) = baseModel.Trunk(batch.Tokens, batch.Positions, batch.AttentionMask, adapter: adapter);
        return value_head.forward(hidden).squeeze(-1).narrow(1, batch.PromptLength - 1, batch.ResponseLength).MoveToOuterDisposeScope();
    }
}
