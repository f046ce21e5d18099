namespace Eppo.Core.Model;

/// <summary>
/// What every block of one forward pass shares: the boolean attention mask (B, 1, T, Tk) (true = may attend),
/// RoPE angles (Llama only), the KV cache, if any, and the LoRA adapter the linears add, if any.
/// </summary>
internal sealed record AttentionContext(Tensor Mask, Tensor? Cos, Tensor? Sin, KvCache? Cache, Adapters.LoraAdapter? Adapter = null)
{
    /// <summary>
    /// attentionMask (B, Tk) with 1 = real token, 0 = pad; the T queries sit at key slots [Tk − T, Tk).
    /// A query sees earlier-or-equal real keys, and always itself, so a left-pad row never gets an all-masked softmax (NaN).
    /// </summary>
    public static Tensor CausalPaddingMask(Tensor attentionMask, long queries)
    {
        using var scope = NewDisposeScope();
        var keys = attentionMask.shape[1];
        var keyIndex = ScalarSafe.Arange(0, keys, attentionMask.device).view(1, 1, 1, keys);
        var queryIndex = ScalarSafe.Arange(keys - queries, keys, attentionMask.device).view(1, 1, queries, 1);
        var real = attentionMask.to_type(ScalarType.Bool).view(attentionMask.shape[0], 1, 1, keys);
        var allowed = keyIndex.le(queryIndex).logical_and(real.logical_or(keyIndex.eq(queryIndex))); // (B, 1, T, Tk)
        return allowed.MoveToOuterDisposeScope();
    }
}
