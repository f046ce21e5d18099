namespace Eppo.Core.Model;

/// <summary>Architecture family; decides module layout and Hugging Face parameter names.</summary>
public enum ModelFamily
{
    /// <summary>RMSNorm, RoPE, SwiGLU MLP, grouped-query attention, no biases ("model." prefix).</summary>
    Llama,

    /// <summary>LayerNorm, learned positions, GELU MLP, fused qkv attention, biases ("transformer." prefix).</summary>
    Gpt2,
}
