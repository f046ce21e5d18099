namespace Eppo.Core.Model;

/// <summary>
/// Preallocated key/value cache: per layer K and V of shape (B, kvHeads, MaxLength, headDim). Slots [0, Length) are
/// filled; a forward pass with T new tokens writes slots [Length, Length + T) in every layer, then advances Length.
/// Inference only (writes are in place, outside autograd). Owns its tensors: dispose it.
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly Tensor[] keys;
    readonly Tensor[] values;

    public KvCache(ModelConfig config, long batchSize, long maxLength, Device device)
    {
        if (batchSize <= 0) throw new EppoException($"KV cache: batch size must be positive, got {batchSize}.");
        if (maxLength <= 0) throw new EppoException($"KV cache: max length must be positive, got {maxLength}.");
        long[] shape = [batchSize, config.KvHeads, maxLength, config.HeadDim];
        keys = [.. Enumerable.Range(0, config.Layers).Select(_ => zeros(shape, device: device).DetachFromDisposeScope())];
        values = [.. Enumerable.Range(0, config.Layers).Select(_ => zeros(shape, device: device).DetachFromDisposeScope())];
        BatchSize = batchSize;
        MaxLength = maxLength;
    }

    public long BatchSize { get; }
    public long MaxLength { get; }

    /// <summary>Number of filled positions (the same in every layer once a forward pass has finished).</summary>
    public long Length { get; private set; }

    /// <summary>Writes k, v (B, kvHeads, T, headDim) after the filled slots; returns the keys and values of all slots so far.</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        var newLength = Length + k.shape[2];
        if (newLength > MaxLength)
            throw new EppoException($"KV cache: {newLength} positions exceed its max length {MaxLength}.");
        using (no_grad())
        {
            keys[layer].narrow(2, Length, k.shape[2]).copy_(k);
            values[layer].narrow(2, Length, v.shape[2]).copy_(v);
        }
        return (keys[layer].narrow(2, 0, newLength), values[layer].narrow(2, 0, newLength));
    }

    /// <summary>Marks T more slots filled; called once per forward pass after all layers appended.</summary>
    internal void Advance(long tokens) => Length += tokens;

    public void Dispose()
    {
        foreach (var tensor in keys.Concat(values)) tensor.Dispose();
    }
}
