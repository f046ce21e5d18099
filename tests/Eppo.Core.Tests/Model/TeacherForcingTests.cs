using Eppo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Model;

public sealed class TeacherForcingTests
{
    const int Eos = 9;
    static readonly int[][] Prompts = [[5, 6, 7], [8]];
    static readonly int[][] Responses = [[1, 2, Eos], [3]];

    [Fact]
    public void BatchIsLeftPaddedPromptsThenRightPaddedResponses()
    {
        using var scope = NewDisposeScope();
        var batch = SequenceBatch.Build(Prompts, Responses, Eos, padId: 0);
        Assert.Equal((3, 3), (batch.PromptLength, batch.ResponseLength));
        Assert.Equal([5L, 6, 7, 1, 2, 9, 0, 0, 8, 3, 0, 0], batch.Tokens.data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0], batch.AttentionMask.data<long>().ToArray());
        Assert.Equal([0L, 1, 2, 3, 4, 5, 0, 0, 0, 1, 1, 1], batch.Positions.data<long>().ToArray());
        Assert.Equal([1f, 1, 0, 1, 0, 0], batch.ResponseMask.data<float>().ToArray()); // EOS and pad excluded
        Assert.Equal([1f, 1, 1, 1, 0, 0], batch.ActionMask.data<float>().ToArray());   // EOS is an action
        Assert.Equal([1L, 2, 9, 3, 0, 0], batch.ResponseTokens.data<long>().ToArray());
    }

    [Fact]
    public void BadBatchesAreRejectedWithTheReason()
    {
        Assert.Contains("prompt 1", Assert.Throws<EppoException>(() => SequenceBatch.Build([[1], []], [[2], [3]], Eos)).Message);
        using var scope = NewDisposeScope();
        using var model = new DecoderModel(ModelConfig.Tiny(ModelFamily.Gpt2, maxPositions: 4));
        var tooLong = SequenceBatch.Build([[1, 2, 3]], [[4, 5]], Eos);
        Assert.Contains("MaxPositions", Assert.Throws<EppoException>(() => TeacherForcing.Score(model, tooLong)).Message);
        Assert.Contains("attentionMask", Assert.Throws<EppoException>(() =>
            model.Forward(tooLong.Tokens.narrow(1, 0, 2), tooLong.Positions.narrow(1, 0, 2), tooLong.AttentionMask)).Message);
        Assert.Contains("2 prompts but 1", Assert.Throws<EppoException>(() => SequenceBatch.Build([[1], [2]], [[3]], Eos)).Message);
    }

    [Theory]
    [InlineData(ModelFamily.Llama)]
    [InlineData(ModelFamily.Gpt2)]
    public void BatchedScoresEqualEachRowAloneWithoutPadding(ModelFamily family)
    {
        using var scope = NewDisposeScope();
        using var model = new DecoderModel(ModelConfig.Tiny(family, probeSite: EnergySite.MlpLinears), seed: 2, initStd: 0.2);
        var batch = SequenceBatch.Build(Prompts, Responses, Eos);
        var scores = TeacherForcing.Score(model, batch);

        for (var b = 0; b < Prompts.Length; b++)
        {
            int[] sequence = [.. Prompts[b], .. Responses[b]];
            var ids = tensor(sequence.Select(t => (long)t).ToArray()).unsqueeze(0);
            var alone = model.Forward(ids, arange((long)sequence.Length).unsqueeze(0), ones_like(ids));
            var logProbs = alone.Head[0].log_softmax(-1);                                  // (T, V)
            for (var j = 0; j < Responses[b].Length; j++)
            {
                var column = Prompts[b].Length + j;                                        // where token j sits alone
                var predicted = logProbs[column - 1];
                Assert.Equal(predicted[Responses[b][j]].item<float>(), scores.LogProbs[b, j].item<float>(), 1e-5f);
                var entropy = -(predicted.exp() * predicted).sum().item<float>();
                Assert.Equal(entropy, scores.Entropy![b, j].item<float>(), 1e-5f);
                Assert.Equal(alone.Energy[0, column].item<float>(), scores.Energy[b, j].item<float>(), 1e-5f);
            }
        }
        var expectedMean0 = (scores.Energy[0, 0].item<float>() + scores.Energy[0, 1].item<float>()) / 2; // EOS excluded
        Assert.Equal(expectedMean0, scores.MeanEnergy[0].item<float>(), 1e-6f);
        Assert.Equal(scores.Energy[1, 0].item<float>(), scores.MeanEnergy[1].item<float>(), 1e-6f);
    }

    [Fact]
    public void GradientsFlowThroughLogProbs()
    {
        using var scope = NewDisposeScope();
        using var model = new DecoderModel(ModelConfig.Tiny(), seed: 1);
        var batch = SequenceBatch.Build(Prompts, Responses, Eos);
        var scores = TeacherForcing.Score(model, batch);
        (-(scores.LogProbs * batch.ActionMask).sum()).backward();
        var grad = model.named_parameters().Single(p => p.name == "model.layers.0.mlp.up_proj.weight").parameter.grad;
        Assert.NotNull(grad);
        Assert.True(grad!.abs().sum().item<float>() > 0);
    }

    [Theory]
    [InlineData(ModelFamily.Llama)]
    [InlineData(ModelFamily.Gpt2)]
    public void RewardIsReadAtTheLastRealTokenAndValuesBeforeEachResponseToken(ModelFamily family)
    {
        using var scope = NewDisposeScope();
        using var rewardModel = new DecoderModel(ModelConfig.Tiny(family), HeadKind.Reward, seed: 4, initStd: 0.2);
        using var critic = new DecoderModel(ModelConfig.Tiny(family), HeadKind.Value, seed: 5, initStd: 0.2);
        var batch = SequenceBatch.Build(Prompts, Responses, Eos);
        var rewards = TeacherForcing.Rewards(rewardModel, batch);
        var values = TeacherForcing.Values(critic, batch);
        Assert.Equal([2L], rewards.shape);
        Assert.Equal([2L, 3L], values.shape);
        for (var b = 0; b < Prompts.Length; b++)
        {
            int[] sequence = [.. Prompts[b], .. Responses[b]];
            var ids = tensor(sequence.Select(t => (long)t).ToArray()).unsqueeze(0);
            var positions = arange((long)sequence.Length).unsqueeze(0);
            var scores = rewardModel.Forward(ids, positions, ones_like(ids)).Head;          // (1, T)
            Assert.Equal(scores[0, sequence.Length - 1].item<float>(), rewards[b].item<float>(), 1e-5f);
            var stateValues = critic.Forward(ids, positions, ones_like(ids)).Head;         // (1, T)
            for (var j = 0; j < Responses[b].Length; j++)
                Assert.Equal(stateValues[0, Prompts[b].Length - 1 + j].item<float>(), values[b, j].item<float>(), 1e-5f);
        }
        Assert.Throws<EppoException>(() => TeacherForcing.Score(critic, batch));
    }
}
