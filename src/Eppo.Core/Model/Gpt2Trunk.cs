using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace Eppo.Core.Model;

/// <summary>GPT-2 trunk (HF "transformer.": wte, wpe, h, ln_f) with learned absolute positions.</summary>
internal sealed class Gpt2Trunk : DecoderTrunk
{
    readonly EmbeddingTable wte, wpe;
    readonly ModuleList<DecoderBlock> h;
    readonly LayerNorm ln_f;

    public Gpt2Trunk(ModelConfig config, ScalarType dtype) : base(nameof(Gpt2Trunk), config)
    {
        wte = new EmbeddingTable(config.VocabSize, config.HiddenSize, dtype);
        wpe = new EmbeddingTable(config.MaxPositions, config.HiddenSize, dtype);
        h = ModuleList<DecoderBlock>([.. Enumerable.Range(0, config.Layers).Select(i => new Gpt2Block(config, i, dtype))]);
        ln_f = LayerNorm(config.HiddenSize, config.NormEps, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor TokenEmbeddingWeight => wte.Weight;

    protected override IList<DecoderBlock> Blocks => h;

    protected override Tensor Embed(Tensor inputIds, Tensor positions) =>
        Widened(wte.forward(inputIds)).Plus(Widened(wpe.forward(positions)));          // (B, T, C)

    protected override (Tensor? Cos, Tensor? Sin) PositionAngles(Tensor positions) => (null, null);

    protected override Tensor FinalNorm(Tensor x) => Norms.Apply(ln_f, x);
}
