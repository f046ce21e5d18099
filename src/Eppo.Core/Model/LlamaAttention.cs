
namespace Eppo.Core.Model;

/// <summary>Grouped-query causal self-attention with RoPE (HF LlamaAttention names); q/k/v biases only with AttentionBias (Qwen2).</summary>
internal sealed class LlamaAttention : nn.Module
{
    readonly Projection q_proj, k_proj, v_proj, o_proj;
    readonly int heads, kvHeads, headDim, layerIndex;

    public LlamaAttention(ModelConfig config, int layerIndex, ScalarType dtype) : base(nameof(LlamaAttention))
    {
        heads = config.Heads;
        kvHeads = config.KvHeads;
        headDim = config.HeadDim;
        this.layerIndex = layerIndex;
        q_proj = new Projection(config.HiddenSize, heads * headDim, config.AttentionBias, dtype);
        k_proj = new Projection(config.HiddenSize, kvHeads * headDim, config.AttentionBias, dtype);
        v_proj = new Projection(config.HiddenSize, kvHeads * headDim, config.AttentionBias, dtype);
        o_proj = new Projection(heads * headDim, config.HiddenSize, hasBias: false, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, AttentionContext context) // (B, T, C) → (B, T, C)
    {
        using var scope = NewDisposeScope();
        var (batch, time) = (x.shape[0], x.shape[1]);
        var adapter = context.Adapter;
        var q = q_proj.Forward(x, adapter).view(batch, time, heads, headDim).transpose(1, 2);   // (B, H, T, D)
        var k = k_proj.Forward(x, adapter).view(batch, time, kvHeads, headDim).transpose(1, 2); // (B, KV, T, D)
        var v = v_proj.Forward(x, adapter).view(batch, time, kvHeads, headDim).transpose(1, 2); // (B, KV, T, D)
        q = RotaryEmbedding.Apply(q, context.Cos!, context.Sin!);
        k = RotaryEmbedding.Apply(k, context.Cos!, context.Sin!);
        if (context.Cache is { } cache) (k, v) = cache.Append(layerIndex, k, v);   // (B, KV, Tk, D)
        k = k.repeat_interleave(heads / kvHeads, dim: 1);                           // (B, H, Tk, D)
        v = v.repeat_interleave(heads / kvHeads, dim: 1);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, context.Mask);   // (B, H, T, D)
        y = y.transpose(1, 2).reshape(batch, time, heads * headDim);                  // (B, T, C)
        return o_proj.Forward(y, adapter).MoveToOuterDisposeScope();
    }
}
