namespace Eppo.Core.Model;

/// <summary>
/// Embeddings, the stack of blocks and the final norm. The final block also yields the energy probe, inline:
/// a few abs().mean(-1) reductions in the same forward pass.
/// </summary>
internal abstract class DecoderTrunk(string name, ModelConfig config) : nn.Module(name)
{
    protected ModelConfig Config { get; } = config;

    /// <summary>Token embedding (V, C); the LM head multiplies by it when embeddings are tied.</summary>
    public abstract Tensor TokenEmbeddingWeight { get; }

    protected abstract IList<DecoderBlock> Blocks { get; }

    /// <summary>ids (B, T), positions (B, T) → x (B, T, C).</summary>
    protected abstract Tensor Embed(Tensor inputIds, Tensor positions);

    /// <summary>RoPE angles for the family that uses them, else null.</summary>
    protected abstract (Tensor? Cos, Tensor? Sin) PositionAngles(Tensor positions);

    protected abstract Tensor FinalNorm(Tensor x);

    /// <summary>A 16-bit base's embeddings enter the fp32 residual stream.</summary>
    protected static Tensor Widened(Tensor embedded) => embedded.dtype == ScalarType.Float32 ? embedded : embedded.to(ScalarType.Float32);

    /// <summary>
    /// ids, positions (B, T); attentionMask (B, cached + T). Returns the normed hidden state (B, T, C) and the final-layer
    /// energy at <paramref name="probe"/> (B, T); with no site the probe's reductions are skipped and the energy is zeros.
    /// With <paramref name="residuals"/>, collects the residual stream entering each block and leaving the last one
    /// (L + 1 tensors, before the final norm) for tests.
    /// </summary>
    public (Tensor Hidden, Tensor Energy) Forward(
        Tensor inputIds, Tensor positions, Tensor attentionMask, KvCache? cache, EnergySite? probe, Adapters.LoraAdapter? adapter, List<Tensor>? residuals = null)
    {
        using var scope = NewDisposeScope();
        var (cos, sin) = PositionAngles(positions);
        var mask = AttentionContext.CausalPaddingMask(attentionMask, inputIds.shape[1]);
        var context = new AttentionContext(mask, cos, sin, cache, adapter);
        var mlpProbe = probe == EnergySite.Block ? null : probe;

        var x = Embed(inputIds, positions);                                           // (B, T, C)
        Tensor? energy = null;
        for (var i = 0; i < Blocks.Count; i++)
        {
            residuals?.Add(x);
            var isLast = i == Blocks.Count - 1;
            var (output, mlpEnergy) = Blocks[i].Forward(x, context, isLast ? mlpProbe : null);
            energy = !isLast ? null : probe == EnergySite.Block ? Energy.Loss(x, output) : mlpEnergy;
            x = output;
        }
        residuals?.Add(x);
        energy ??= zeros(inputIds.shape[0], inputIds.shape[1], dtype: x.dtype, device: x.device);
        cache?.Advance(inputIds.shape[1]);
        if (residuals is not null)
            for (var i = 0; i < residuals.Count; i++) residuals[i] = residuals[i].MoveToOuterDisposeScope();
        return (FinalNorm(x).MoveToOuterDisposeScope(), energy.MoveToOuterDisposeScope());
    }
}
