using Eppo.Core.Generation;
using Eppo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Generation;

public sealed class TensorLeakTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LiveTensorCountStaysFlatOverGenerateAndTrainSteps(bool useKvCache)
    {
        using var model = new DecoderModel(ModelConfig.Tiny(ModelFamily.Llama), seed: 8, initStd: 0.2);
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
        var generator = new SequenceGenerator(model);
        int[][] prompts = [[1, 2, 3, 4], [5, 6], [7]];
        var statistics = DisposeScopeManager.Statistics;

        long liveAfterWarmUp = 0;
        for (var step = 0; step < 50; step++)
        {
            var options = GenerationOptions.Sampling(6, eosId: 0, seed: step) with { UseKvCache = useKvCache };
            var rollout = generator.Generate(prompts, options);
            TrainStep(model, optimizer, prompts, rollout.Responses);
            if (step == 4) liveAfterWarmUp = statistics.ThreadTotalLiveCount;
        }
        Assert.Equal(liveAfterWarmUp, statistics.ThreadTotalLiveCount);
    }

    static void TrainStep(DecoderModel model, optim.Optimizer optimizer, int[][] prompts, int[][] responses)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var batch = SequenceBatch.Build(prompts, responses, eosId: 0);
        var scores = TeacherForcing.Score(model, batch);
        var loss = -(scores.LogProbs * batch.ActionMask).sum() / batch.ActionMask.sum().ClampMin(1);
        loss.backward();
        optimizer.step();
    }
}
