using static TorchSharp.torch;
using Eppo.Core.Ppo;

namespace Eppo.Core.Tests.Ppo;

/// <summary>Every PPO/EPPO function against the independent PyTorch reimplementation in <see cref="PpoOracleFixture"/>.</summary>
public sealed class PpoMathOracleTests(PpoOracleFixture o) : IClassFixture<PpoOracleFixture>
{
    const double Tol = 2e-5;

    static Tensor T2(float[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);
    static Tensor T3(float[][][] x) => tensor(x.SelectMany(a => a.SelectMany(r => r)).ToArray(), [x.Length, x[0].Length, x[0][0].Length]);
    static float[] F(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    static void Close(double[] expected, float[] actual, double tol = Tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    static void Close(double expected, double actual, double tol = Tol) => Close([expected], [(float)actual], tol);

    [Fact]
    public void MaskedMeanVarAndWhitenMatchTorch()
    {
        using var scope = NewDisposeScope();
        var (v, m) = (T2(o.Values), T2(o.Mask));
        Close(o.Expected["mean"]!.Doubles(), F(Masked.Mean(v, m)));
        Close(o.Expected["mean_rows"]!.Doubles(), F(Masked.Mean(v, m, dim: 1)));
        Close(o.Expected["var_unbiased"]!.Doubles(), F(Masked.Var(v, m)));
        Close(o.Expected["var_biased"]!.Doubles(), F(Masked.Var(v, m, unbiased: false)));
        Close(o.Expected["whiten"]!.Doubles(), F(Masked.Whiten(v, m)));
        Close(o.Expected["whiten_noshift"]!.Doubles(), F(Masked.Whiten(v, m, shiftMean: false)));
    }

    [Fact]
    public void GaeMatchesTheClassicReversedLoop()
    {
        using var scope = NewDisposeScope();
        var (advantages, returns) = Gae.Compute(T2(o.Rewards), T2(o.Values), T2(o.Mask), PpoOracleFixture.Gamma, PpoOracleFixture.Lambda);
        Close(o.Expected["gae_adv"]!.Doubles(), F(advantages));
        Close(o.Expected["gae_ret"]!.Doubles(), F(returns));
    }

    [Fact]
    public void ClippedPolicyLossAndItsGradientMatchTorch()
    {
        using var scope = NewDisposeScope();
        var logProbs = T2(o.LogProbs).requires_grad_(true);
        var result = PolicyLoss.Clipped(logProbs, T2(o.OldLogProbs), T2(o.Advantages), T2(o.Mask), PpoOracleFixture.ClipEps);
        result.Loss.backward();
        Close(o.Expected["pl_loss"]!.Double(), result.Loss.item<float>());
        Close(o.Expected["pl_grad"]!.Doubles(), F(logProbs.grad!));
        Close(o.Expected["pl_clipfrac"]!.Double(), result.ClipFraction.item<float>());
        Close(o.Expected["pl_kl"]!.Double(), result.ApproxKl.item<float>());
        var clipFraction = result.ClipFraction.item<float>();
        Assert.InRange(clipFraction, 0.01f, 0.99f); // the inputs exercise both branches
    }

    [Fact]
    public void ClippedValueLossAndItsGradientMatchTorch()
    {
        using var scope = NewDisposeScope();
        var values = T2(o.Values).requires_grad_(true);
        var loss = ValueLoss.Clipped(values, T2(o.OldValues), T2(o.Returns), T2(o.Mask), PpoOracleFixture.ValueClipEps);
        loss.backward();
        Close(o.Expected["vl_loss"]!.Double(), loss.item<float>());
        Close(o.Expected["vl_grad"]!.Doubles(), F(values.grad!));
    }

    [Fact]
    public void EntropyMatchesTorchDistributionsCategorical()
    {
        using var scope = NewDisposeScope();
        var logits = T3(o.Logits);
        Close(o.Expected["entropy"]!.Doubles(), F(Entropy.FromLogits(logits)));
        Close(o.Expected["entropy_mean"]!.Double(), Entropy.MaskedMean(logits, T2(o.Mask)).item<float>());
    }

    [Fact]
    public void KlEstimatorsMatchTorch()
    {
        using var scope = NewDisposeScope();
        var (logp, refLogp) = (T2(o.LogProbs), T2(o.RefLogProbs));
        Close(o.Expected["k1"]!.Doubles(), F(KlEstimators.K1(logp, refLogp)));
        Close(o.Expected["k3"]!.Doubles(), F(KlEstimators.K3(logp, refLogp)));
        Assert.All(F(KlEstimators.K3(logp, refLogp)), k => Assert.True(k >= 0));
    }

    [Fact]
    public void RewardAssemblyMatchesALoopOverRows()
    {
        using var scope = NewDisposeScope();
        var (scores, logp, refLogp, mask) = (tensor(o.Scores), T2(o.LogProbs), T2(o.RefLogProbs), T2(o.Mask));
        Close(o.Expected["assembled_k1"]!.Doubles(), F(RewardAssembly.Compute(scores, logp, refLogp, mask, PpoOracleFixture.Beta)));
        Close(o.Expected["assembled_k3"]!.Doubles(), F(RewardAssembly.Compute(scores, logp, refLogp, mask, PpoOracleFixture.Beta, KlEstimator.K3)));
    }

    [Fact]
    public void EnergyPenaltyMatchesTorchForArraysAndTensors()
    {
        var penalty = EnergyPenalty.Penalty(o.SftEnergy, o.RlEnergy);
        Close(o.Expected["penalty"]!.Doubles(), penalty);
        var shaped = EnergyPenalty.Apply(o.Scores, o.SftEnergy, o.RlEnergy, new EnergyPenaltyOptions());
        Close(o.Expected["shaped_default"]!.Doubles(), shaped.Shaped);
        Close(o.Expected["penalty"]!.Doubles(), shaped.Penalty);
        var floored = EnergyPenalty.Shape(o.Scores, penalty, new EnergyPenaltyOptions(Eta: 3.0, FloorCoefficient: 0.5, ClipBound: 1.5));
        Close(o.Expected["shaped_floor"]!.Doubles(), floored);

        using var scope = NewDisposeScope();
        // (B, M) layout for the tensor variant: transpose the per-module arrays.
        var sft = T2(o.SftEnergy).t();
        var rl = T2(o.RlEnergy).t();
        var tensorPenalty = EnergyPenalty.Penalty(sft, rl);
        Close(o.Expected["penalty"]!.Doubles(), F(tensorPenalty));
        Close(o.Expected["shaped_default"]!.Doubles(), F(EnergyPenalty.Shape(tensor(o.Scores), tensorPenalty, new EnergyPenaltyOptions())));
        Close(o.Expected["shaped_floor"]!.Doubles(), F(EnergyPenalty.Shape(tensor(o.Scores), tensorPenalty, new EnergyPenaltyOptions(3.0, 0.5, 1.5))));
    }

    [Fact]
    public void RunningMomentsAndLengthPenaltyMatchTorch()
    {
        var moments = new RunningMoments();
        foreach (var batch in o.MomentBatches) moments.Update(batch);
        Close(o.Expected["rm_mean"]!.Double(), moments.Mean);
        Close(o.Expected["rm_var"]!.Double(), moments.Var);
        Close(o.Expected["rm_std"]!.Double(), moments.Std);
        Assert.Equal(o.Expected["rm_count"]!.Double(), moments.Count);
        Close(o.Expected["length_penalty"]!.Doubles(), LengthPenalty.Apply(o.Scores, o.Lengths, 20.0, moments.Std));
    }

    [Fact]
    public void AdaptiveKlControllerMatchesZieglerUpdates()
    {
        var controller = new AdaptiveKlController(0.1, target: 2.0, horizon: 1000);
        var values = o.KlSeries.Select(kl => { controller.Update(kl, 64); return (float)controller.Value; }).ToArray();
        Close(o.Expected["kl_ctl"]!.Doubles(), values, 1e-6);
    }
}
