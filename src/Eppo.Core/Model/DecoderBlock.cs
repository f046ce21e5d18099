namespace Eppo.Core.Model;

/// <summary>One pre-norm transformer block: x + attn(norm(x)), then + mlp(norm(·)).</summary>
internal abstract class DecoderBlock(string name) : nn.Module(name)
{
    /// <summary>
    /// x (B, T, C) → (B, T, C). With an MLP probe site (Mlp, DownProj, MlpLinears) also the energy (B, T) measured
    /// inside this block's MLP; the trunk passes a site only to the final block.
    /// </summary>
    public abstract (Tensor Output, Tensor? Energy) Forward(Tensor x, AttentionContext context, EnergySite? mlpProbe);
}
