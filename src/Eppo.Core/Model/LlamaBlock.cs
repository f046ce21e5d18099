using static TorchSharp.torch.nn;

namespace Eppo.Core.Model;

/// <summary>Llama decoder layer (HF names: self_attn, mlp, input_layernorm, post_attention_layernorm).</summary>
internal sealed class LlamaBlock : DecoderBlock
{
    readonly LlamaAttention self_attn;
    readonly LlamaMlp mlp;
    readonly RmsNorm input_layernorm, post_attention_layernorm;

    public LlamaBlock(ModelConfig config, int layerIndex, ScalarType dtype) : base(nameof(LlamaBlock))
    {
        self_attn = new LlamaAttention(config, layerIndex, dtype);
        mlp = new LlamaMlp(config, dtype);
        input_layernorm = new RmsNorm(config.HiddenSize, config.NormEps, dtype);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.NormEps, dtype);
        RegisterComponents();
    }

    public override (Tensor Output, Tensor? Energy) Forward(Tensor x, AttentionContext context, EnergySite? mlpProbe)
    {
        using var scope = NewDisposeScope();
        var h = x.Plus(self_attn.Forward(input_layernorm.forward(x), context));        // (B, T, C)
        var (mlpOut, energy) = mlp.Forward(post_attention_layernorm.forward(h), mlpProbe, context.Adapter);
        return (h.Plus(mlpOut).MoveToOuterDisposeScope(), energy?.MoveToOuterDisposeScope());
    }
}
