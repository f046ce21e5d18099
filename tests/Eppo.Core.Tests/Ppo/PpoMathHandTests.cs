using Eppo.Core.Ppo;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Ppo;

/// <summary>Small cases worked out by hand (numbers in the comments), and the error paths.</summary>
public sealed class PpoMathHandTests
{
    static float[] F(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    static void Close(double[] expected, float[] actual, double tol = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void GaeWithGammaAndLambdaOneOnThreeTokens()
    {
        using var scope = NewDisposeScope();
        // r = [0, 0, 1], V = [0.5, 0.2, 0.1]; a 4th padding token carries junk that must not leak in.
        // δ2 = 1 + 0 − 0.1 = 0.9 → A2 = 0.9; δ1 = 0 + 0.1 − 0.2 = −0.1 → A1 = 0.8; δ0 = 0 + 0.2 − 0.5 = −0.3 → A0 = 0.5.
        // returns = A + V = [1, 1, 1] (the undiscounted reward-to-go).
        var rewards = tensor(new float[] { 0, 0, 1, 7 }).reshape(1, 4);
        var values = tensor(new float[] { 0.5f, 0.2f, 0.1f, 9 }).reshape(1, 4);
        var mask = tensor(new float[] { 1, 1, 1, 0 }).reshape(1, 4);
        var (advantages, returns) = Gae.Compute(rewards, values, mask, gamma: 1, lambda: 1);
        Close([0.5, 0.8, 0.9, 0], F(advantages));
        Close([1, 1, 1, 0], F(returns));
    }

    [Fact]
    public void AdaptiveKlControllerTwoUpdatesByHand()
    {
        var controller = new AdaptiveKlController(0.1, target: 6, horizon: 10_000);
        controller.Update(currentKl: 9, nSteps: 256);   // e = clip(9/6 − 1 = 0.5) = 0.2 → β = 0.1·(1 + 0.2·0.0256) = 0.100512
        Assert.Equal(0.100512, controller.Value, 12);
        controller.Update(currentKl: 5.4, nSteps: 256); // e = −0.1 → β = 0.100512·(1 − 0.00256) = 0.10025468928
        Assert.Equal(0.10025468928, controller.Value, 12);

        var fixedController = new FixedKlController(0.05);
        fixedController.Update(100, 256);
        Assert.Equal(0.05, fixedController.Value);
    }

    [Fact]
    public void EnergyPenaltyFloorAndClipByHand()
    {
        float[] rewards = [1, 9, -2];
        // module 0: |−0.6 − (−0.4)| = 0.2, 0, |−0.6 − 0.4| = 1.0; module 1: 0.1, 0.5, 0 → penalty [0.3, 0.5, 1.0]
        float[][] sft = [[-0.6f, -0.5f, -0.6f], [0.1f, 0.2f, 0f]];
        float[][] rl = [[-0.4f, -0.5f, 0.4f], [0.0f, -0.3f, 0f]];
        var result = EnergyPenalty.Apply(rewards, sft, rl, new EnergyPenaltyOptions(Eta: 2));
        Close([0.3, 0.5, 1.0], result.Penalty);
        // r − 2·p = [0.4, 8, −4], clipped to ±5 → [0.4, 5, −4]
        Close([0.4, 5, -4], result.Shaped);
        // floor c = 0.5: max(r̂, 0.5·r) = [max(0.4, 0.5), max(8, 4.5), max(−4, −1)] = [0.5, 8, −1] → clip ±5 → [0.5, 5, −1]
        Close([0.5, 5, -1], EnergyPenalty.Shape(rewards, result.Penalty, new EnergyPenaltyOptions(2, FloorCoefficient: 0.5)));
        // a single module and a tighter clip bound
        Close([0.2, 0, 1.0], EnergyPenalty.Penalty(sft[0], rl[0]));
        Close([0.4, 3, -3], EnergyPenalty.Shape(rewards, result.Penalty, new EnergyPenaltyOptions(2, ClipBound: 3)));
    }

    [Fact]
    public void LengthPenaltyByHand()
    {
        // N = 20, σ = 2: L = 10 → 1 + 0.5·2 = 2; L = 30 → 1 − 0.5·2 = 0; L = 20 → unchanged
        Close([2, 0, 1], LengthPenalty.Apply([1, 1, 1], [10, 30, 20], lengthScale: 20, rewardStd: 2));
        // with running moments: the batch [1, 3] has sample std √2 and is merged before use
        var moments = new RunningMoments();
        Close([1 + 0.5 * Math.Sqrt(2), 3 - 0.5 * Math.Sqrt(2)], LengthPenalty.Apply([1, 3], [10, 30], 20, moments), 1e-6);
        Assert.Equal(2, moments.Count);
    }

    [Fact]
    public void RunningMomentsResumeFromStateContinuesIdentically()
    {
        var original = new RunningMoments();
        original.Update([1f, 2f, 4f]);
        original.Update([-3f]);
        var resumed = new RunningMoments(original.State);
        original.Update([0.5f, 7f]);
        resumed.Update([0.5f, 7f]);
        Assert.Equal(original.State, resumed.State);
        // merging batches equals one pass: values 1, 2, 4, −3, 0.5, 7 → mean 11.5/6
        Assert.Equal(11.5 / 6, original.Mean, 12);
        Assert.Equal(6, original.Count);
        Assert.Throws<EppoException>(() => new RunningMoments(new RunningMomentsState(2, 0, -1)));
    }

    [Fact]
    public void RewardAssemblyPutsTheScoreOnTheLastResponseToken()
    {
        using var scope = NewDisposeScope();
        // mask [0, 1, 1, 0], kl [1, 2, 3, 4], β = 0.5, score 10 → [0, −1, −1.5 + 10, 0]
        var rewards = RewardAssembly.FromKl(tensor(new float[] { 10 }), tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 4),
            tensor(new float[] { 0, 1, 1, 0 }).reshape(1, 4), beta: 0.5);
        Close([0, -1, 8.5, 0], F(rewards));
        var emptyRow = Assert.Throws<EppoException>(() => RewardAssembly.LastTokenIndex(tensor(new float[] { 1, 1, 0, 0 }).reshape(2, 2)));
        Assert.Contains("sample 1", emptyRow.Message);
    }

    [Fact]
    public void PolicyLossAtRatioOneIsMinusTheMeanAdvantage()
    {
        using var scope = NewDisposeScope();
        var logp = tensor(new float[] { -1, -2, -3 }).reshape(1, 3);
        var result = PolicyLoss.Clipped(logp, logp.clone(), tensor(new float[] { 1, 2, 100 }).reshape(1, 3), tensor(new float[] { 1, 1, 0 }).reshape(1, 3), 0.2);
        Assert.Equal(-1.5f, result.Loss.item<float>(), 6);
        Assert.Equal(0f, result.ClipFraction.item<float>());
        Assert.Equal(0f, result.ApproxKl.item<float>());
    }

    [Fact]
    public void EntropyOfUniformLogitsIsLogV()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(Math.Log(7), Entropy.FromLogits(full(new long[] { 2, 3, 7 }, 3.5f)).mean().item<float>(), 5);
    }

    [Fact]
    public void NonFiniteValuesAreReportedWithStageAndSample()
    {
        var fromArray = Assert.Throws<EppoException>(() => Finite.Require([1f, 2f, 3f, float.NaN], "reward", "score"));
        Assert.Equal("non-finite reward in stage 'score', sample 3 (NaN)", fromArray.Message);

        using var scope = NewDisposeScope();
        var values = zeros(3, 4);
        values[2, 1] = tensor(float.PositiveInfinity);
        var fromTensor = Assert.Throws<EppoException>(() => Finite.Require(values, "value", "critic"));
        Assert.StartsWith("non-finite value in stage 'critic', sample 2", fromTensor.Message);
        Finite.Require(zeros(3, 4), "value", "critic");

        var energy = Assert.Throws<EppoException>(() => EnergyPenalty.Penalty([[0f, 1f]], [[0f, float.NaN]]));
        Assert.Contains("RL energy", energy.Message);
        Assert.Contains("sample 1", energy.Message);
    }

    [Fact]
    public void EmptyMasksAndBadShapesThrowInsteadOfReturningNaN()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<EppoException>(() => Masked.Mean(ones(2, 3), zeros(2, 3)));
        Assert.Throws<EppoException>(() => Masked.Var(ones(1, 3), tensor(new float[] { 0, 1, 0 }).reshape(1, 3)));
        Assert.Throws<EppoException>(() => Gae.Compute(zeros(2, 3), zeros(2, 4), ones(2, 4), 1, 1));
        Assert.Throws<EppoException>(() => RewardClip.Apply([1f], 0));
        Assert.Throws<EppoException>(() => new AdaptiveKlController(0.1, target: 0, horizon: 10));
        Close([-2, 0.5, 2], RewardClip.Apply([-9f, 0.5f, 3f], 2));
    }
}
