using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace Eppo.Core.Model;

/// <summary>Llama trunk (HF "model.": embed_tokens, layers, norm). Positions enter only through RoPE.</summary>
internal sealed class LlamaTrunk : DecoderTrunk
{
    readonly EmbeddingTable embed_tokens;
    readonly ModuleList<DecoderBlock> layers;
    readonly RmsNorm norm;

    public LlamaTrunk(ModelConfig config, ScalarType dtype) : base(nameof(LlamaTrunk), config)
    {
        embed_tokens = new EmbeddingTable(config.VocabSize, config.HiddenSize, dtype);
        layers = ModuleList<DecoderBlock>([.. Enumerable.Range(0, config.Layers).Select(i => new LlamaBlock(config, i, dtype))]);
        norm = new RmsNorm(config.HiddenSize, config.NormEps, dtype);
        RegisterComponents();
    }

    public override Tensor TokenEmbeddingWeight => embed_tokens.Weight;

    protected override IList<DecoderBlock> Blocks => layers;

    protected override Tensor Embed(Tensor inputIds, Tensor positions) => Widened(embed_tokens.forward(inputIds));

    protected override (Tensor? Cos, Tensor? Sin) PositionAngles(Tensor positions) =>
        RotaryEmbedding.Angles(positions, Config.HeadDim, Config.RopeTheta, Config.RopeScaling);

    protected override Tensor FinalNorm(Tensor x) => norm.forward(x);
}
