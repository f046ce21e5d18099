using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace Eppo.Core.Model;

/// <summary>GPT-2 block (HF names: ln_1, attn, ln_2, mlp).</summary>
internal sealed class Gpt2Block : DecoderBlock
{
    readonly LayerNorm ln_1, ln_2;
    readonly Gpt2Attention attn;
    readonly Gpt2Mlp mlp;

    public Gpt2Block(ModelConfig config, int layerIndex) : base(nameof(Gpt2Block))
    {
        ln_1 = LayerNorm(config.HiddenSize, config.NormEps);
        attn = new Gpt2Attention(config, layerIndex);
        ln_2 = LayerNorm(config.HiddenSize, config.NormEps);
        mlp = new Gpt2Mlp(config);
        RegisterComponents();
    }

    public override (Tensor Output, Tensor? Energy) Forward(Tensor x, AttentionContext context, EnergySite? mlpProbe)
    {
        using var scope = NewDisposeScope();
        var h = x.Plus(attn.Forward(ln_1.forward(x), context));                        // (B, T, C)
        var (mlpOut, energy) = mlp.Forward(ln_2.forward(h), mlpProbe);
        return (h.Plus(mlpOut).MoveToOuterDisposeScope(), energy?.MoveToOuterDisposeScope());
    }
}
