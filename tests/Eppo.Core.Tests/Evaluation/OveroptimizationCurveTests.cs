using Eppo.Core.Evaluation;

namespace Eppo.Core.Tests.Evaluation;

/// <summary>Gao et al.'s fit and the best-of-n estimator against values computed independently (PyTorch's lstsq, enumeration of every subset).</summary>
public class OveroptimizationCurveTests
{
    [Fact]
    public void TheFitRecoversAnExactCurveAndItsPeak()
    {
        // gain = d(0.3 − 0.1 ln d): peak at d* = e^(0.3/0.1 − 1) = e², gain there 0.1·e².
        var points = new[] { 0.5, 1, 2, 4, 8, 16 }.Select(d => (d, d * (0.3 - 0.1 * Math.Log(d))));
        var fit = GoldScalingFit.Fit(points)!;
        Assert.Equal(0.3, fit.Alpha, 10);
        Assert.Equal(0.1, fit.Beta, 10);
        Assert.Equal(Math.Exp(2), fit.PeakSqrtKl!.Value, 8);
        Assert.Equal(0.1 * Math.Exp(2), fit.PeakGain!.Value, 8);
        Assert.Equal(6, fit.Points);
    }

    [Fact]
    public void TheFitOfNoisyPointsIsTheLeastSquaresSolution()
    {
        // torch.linalg.lstsq([d, −d ln d], gain) in float64: α 0.12805417675349498, β 0.09006194184791239; d* 1.5247730986362922, peak gain 0.13732402614064293.
        double[] d = [0.5, 1, 1.5, 2, 3, 4, 5];
        double[] gain = [0.05, 0.12, 0.14, 0.15, 0.1, 0.02, -0.1];
        // The SFT point (d = 0) says nothing about α and β and is left out.
        var fit = GoldScalingFit.Fit(d.Zip(gain).Prepend((0.0, 0.0)))!;
        Assert.Equal(0.12805417675349498, fit.Alpha, 12);
        Assert.Equal(0.09006194184791239, fit.Beta, 12);
        Assert.Equal(1.5247730986362922, fit.PeakSqrtKl!.Value, 10);
        Assert.Equal(0.13732402614064293, fit.PeakGain!.Value, 10);
        Assert.Equal(7, fit.Points);
    }

    [Fact]
    public void AFitThatNeverTurnsDownHasNoPeakAndTooFewPointsNoFit()
    {
        var rising = GoldScalingFit.Fit(new[] { 1.0, 2, 3 }.Select(d => (d, d * (0.2 + 0.05 * Math.Log(d)))))!;
        Assert.True(rising.Beta < 0);
        Assert.Null(rising.PeakSqrtKl);
        Assert.Null(rising.PeakGain);
        Assert.Null(GoldScalingFit.Fit([(0.0, 0.0), (2.0, 0.1)]));
        Assert.Null(GoldScalingFit.Fit([(1.0, 0.1), (1.0, 0.2)]));   // one distance twice cannot tell α from β
    }

    [Fact]
    public void BestOfNIsTheMeanOverEverySubsetOfItsBestByProxy()
    {
        // (proxy, gold); enumerating every n-subset and keeping its best by proxy gives 0.24, −0.03, −0.1, 0.0 for n = 1, 2, 3, 5.
        (double, double)[] samples = [(0.3, 0.5), (-1.2, 1.0), (0.9, -0.5), (0.1, 0.2), (2.0, 0.0)];
        Assert.Equal(0.24, BestOfN.Expected(samples, 1).Gold, 12);
        Assert.Equal(-0.03, BestOfN.Expected(samples, 2).Gold, 12);
        Assert.Equal(-0.1, BestOfN.Expected(samples, 3).Gold, 12);
        Assert.Equal(0.0, BestOfN.Expected(samples, 5).Gold, 12);
        Assert.Equal(2.0, BestOfN.Expected(samples, 5).Proxy, 12);
        Assert.Equal(samples.Average(s => s.Item1), BestOfN.Expected(samples, 1).Proxy, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => BestOfN.Expected(samples, 6));
    }

    [Fact]
    public void BestOfNKlAndTheCurvesSizes()
    {
        Assert.Equal(0, BestOfN.Kl(1));
        Assert.Equal(0.1931471805599453, BestOfN.Kl(2), 14);    // ln 2 − 1/2
        Assert.Equal(3.1745080833596715, BestOfN.Kl(64), 13);   // ln 64 − 63/64
        Assert.Equal([1, 2, 4, 8, 16, 32, 64], BestOfN.Sizes(64));
        Assert.Equal([1, 2, 4], BestOfN.Sizes(7));

        IReadOnlyList<(double, double)>[] prompts = [[(0.0, 0.0), (1.0, 1.0), (2.0, 0.5), (3.0, 0.4)], [(0.0, 1.0), (1.0, 0.0), (2.0, 0.0), (3.0, 0.0)]];
        var curve = BestOfN.Curve(prompts);
        Assert.Equal([1, 2, 4], curve.Select(p => p.N));
        // n = 4 keeps the top proxy of each prompt: gold 0.4 and 0.0.
        Assert.Equal(0.2, curve[^1].Gold, 12);
        Assert.Equal(Math.Sqrt(BestOfN.Kl(4)), curve[^1].SqrtKl, 12);
    }
}
