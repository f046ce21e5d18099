using TorchSharp.Modules;

namespace Eppo.Core.Model;

/// <summary>GPT-2 block (HF names: ln_1, attn, ln_2, mlp).</summary>
internal sealed class Gpt2Block : DecoderBlock
{
    readonly LayerNorm ln_1, ln_2;
    readonly Gpt2Attention attn;
    readonly Gpt2Mlp mlp;

    public Gpt2Block(ModelConfig config, int layerIndex, ScalarType dtype) : base(nameof(Gpt2Block))
    {
        ln_1 = nn.LayerNorm(config.HiddenSize, config.NormEps, dtype: dtype);
        attn = new Gpt2Attention(config, layerIndex, dtype);
        ln_2 = nn.LayerNorm(config.HiddenSize, config.NormEps, dtype: dtype);
        mlp = new Gpt2Mlp(config, dtype);
        RegisterComponents();
    }

    public override (Tensor Output, Tensor? Energy) Forward(Tensor x, AttentionContext context, EnergySite? mlpProbe)
    {
        using var scope = NewDisposeScope();
        var h = x.Plus(attn.Forward(Norms.Apply(ln_1, x), context));                   // (B, T, C)
        var (mlpOut, energy) = mlp.Forward(Norms.Apply(ln_2, h), mlpProbe, context.Adapter);
        return (h.Plus(mlpOut).MoveToOuterDisposeScope(), energy?.MoveToOuterDisposeScope());
    }
}
