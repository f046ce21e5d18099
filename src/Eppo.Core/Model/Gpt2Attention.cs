
namespace Eppo.Core.Model;

/// <summary>
/// GPT-2 causal self-attention: fused c_attn (q, k, v in that order) and c_proj, with biases.
/// HF stores these as Conv1D weights (in, out); ours are nn.Linear (out, in): a checkpoint loader transposes them.
/// </summary>
internal sealed class Gpt2Attention : nn.Module
{
    readonly Projection c_attn, c_proj;
    readonly int heads, headDim, layerIndex;

    public Gpt2Attention(ModelConfig config, int layerIndex, ScalarType dtype) : base(nameof(Gpt2Attention))
    {
        heads = config.Heads;
        headDim = config.HeadDim;
        this.layerIndex = layerIndex;
        c_attn = new Projection(config.HiddenSize, 3 * config.HiddenSize, hasBias: true, dtype);
        c_proj = new Projection(config.HiddenSize, config.HiddenSize, hasBias: true, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, AttentionContext context) // (B, T, C) → (B, T, C)
    {
        using var scope = NewDisposeScope();
        var (batch, time, width) = (x.shape[0], x.shape[1], x.shape[2]);
        var qkv = c_attn.Forward(x, context.Adapter).split(width, dim: -1);                          // 3 × (B, T, C)
        var q = qkv[0].view(batch, time, heads, headDim).transpose(1, 2);          // (B, H, T, D)
        var k = qkv[1].view(batch, time, heads, headDim).transpose(1, 2);
        var v = qkv[2].view(batch, time, heads, headDim).transpose(1, 2);
        if (context.Cache is { } cache) (k, v) = cache.Append(layerIndex, k, v);   // (B, H, Tk, D)
        var y = nn.functional.scaled_dot_product_attention(q, k, v, context.Mask);   // (B, H, T, D)
        y = y.transpose(1, 2).reshape(batch, time, width);                           // (B, T, C)
        return c_proj.Forward(y, context.Adapter).MoveToOuterDisposeScope();
    }
}
