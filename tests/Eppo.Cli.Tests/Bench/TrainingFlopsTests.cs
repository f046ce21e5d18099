using Eppo.Cli.Bench;
using Eppo.Core.Model;

namespace Eppo.Cli.Tests.Bench;

public sealed class TrainingFlopsTests
{
    /// <summary>Every 2-D weight except the embeddings multiplies activations; the formula must count exactly those.</summary>
    [Theory]
    [InlineData(ModelFamily.Llama, HeadKind.LanguageModel)]
    [InlineData(ModelFamily.Llama, HeadKind.Value)]
    [InlineData(ModelFamily.Gpt2, HeadKind.LanguageModel)]
    [InlineData(ModelFamily.Gpt2, HeadKind.Reward)]
    public void MatmulParametersMatchTheModulesWeights(ModelFamily family, HeadKind kind)
    {
        var config = ModelConfig.Tiny(family, vocabSize: 37, hiddenSize: 48, layers: 3, heads: 6);
        using var model = new DecoderModel(config, kind);
        var counted = model.named_parameters()
            .Where(p => p.parameter.dim() == 2 && !p.name.Contains("embed_tokens") && !p.name.Contains("wte") && !p.name.Contains("wpe"))
            .Sum(p => p.parameter.numel());
        Assert.Equal(counted, TrainingFlops.MatmulParameters(config, kind));
    }

    [Fact]
    public void TiedHeadStillCountsItsProduct()
    {
        var config = ModelConfig.Tiny(vocabSize: 37, tieEmbeddings: true);
        var untied = config with { TieEmbeddings = false };
        Assert.Equal(TrainingFlops.MatmulParameters(untied, HeadKind.LanguageModel), TrainingFlops.MatmulParameters(config, HeadKind.LanguageModel));
    }

    [Fact]
    public void PpoStepIsThreeInferenceForwardsAndTwoTrainingPassesPerEpoch()
    {
        // actor 10, critic 5, 3 tokens: 2·(10 + 10 + 5)·3 = 150 no-grad; 6·(10 + 5)·3 = 270 per epoch.
        Assert.Equal(420, TrainingFlops.PpoStep(10, 5, 3, ppoEpochs: 1));
        Assert.Equal(690, TrainingFlops.PpoStep(10, 5, 3, ppoEpochs: 2));
        Assert.Equal(2.0 * 4 * 5 * 6, TrainingFlops.Matmul(4, 5, 6));
    }
}
