using Eppo.Core.Evaluation;

namespace Eppo.Core.Tests.Evaluation;

/// <summary>The one win/tie/lose type: gold scores with a margin (HackBench) and a judge's outcomes with no verdicts (text), by hand.</summary>
public sealed class WinTieLoseTests
{
    [Fact]
    public void ScoresCompareWithTheMarginByHand()
    {
        float[] a = [1f, 0.5f, 0f, -1f, 0.52f];
        float[] b = [0f, 0.5f, 1f, -1f, 0.5f];
        var exact = WinTieLose.Compare(a, b);
        Assert.Equal(new WinTieLose(2, 2, 1), exact);
        Assert.Equal(0.4, exact.WinShare, 12);
        Assert.Equal(0.4 + 0.5 * 0.4, exact.WinRate, 12);
        var withMargin = WinTieLose.Compare(a, b, margin: 0.05f);
        Assert.Equal(new WinTieLose(1, 3, 1), withMargin);
        Assert.Equal(0.2 + 0.5 * 0.6, withMargin.WinRate, 12);
        Assert.Equal(0.2, withMargin.LoseShare, 12);
        Assert.Throws<EppoException>(() => WinTieLose.Compare(a, [1f]));
        Assert.Throws<EppoException>(() => WinTieLose.Compare(a, b, margin: -0.1f));
    }

    [Fact]
    public void NoVerdictIsInTheSharesButNotInTheWinRate()
    {
        var r = WinTieLose.Of([JudgeOutcome.Win, JudgeOutcome.Win, JudgeOutcome.Tie, JudgeOutcome.Lose, JudgeOutcome.NoVerdict]);
        Assert.Equal(new WinTieLose(2, 1, 1, 1), r);
        Assert.Equal((4, 5), (r.Judged, r.Pairs));
        Assert.Equal(0.4, r.WinShare, 12);        // 2 of all 5 pairs
        Assert.Equal(0.2, r.TieShare, 12);
        Assert.Equal(2.5 / 4, r.WinRate, 12);      // (2 + ½) of the 4 with a verdict
        Assert.True(double.IsNaN(WinTieLose.Of([JudgeOutcome.NoVerdict]).WinRate));
        Assert.True(double.IsNaN(WinTieLose.None.WinShare));
    }

    [Fact]
    public void PoolingAddsEveryCount()
    {
        Assert.Equal(new WinTieLose(2, 3, 4, 1), WinTieLose.Pool([new(1, 1, 1), new(1, 2, 3, 1)]));
        Assert.Equal(WinTieLose.None, WinTieLose.Pool([]));
    }

    [Theory]
    [InlineData(0.2, 0.1, JudgeOutcome.Win)]
    [InlineData(0.1, 0.1, JudgeOutcome.Tie)]      // at the margin: a tie
    [InlineData(-0.1, 0.1, JudgeOutcome.Tie)]
    [InlineData(-0.2, 0.1, JudgeOutcome.Lose)]
    [InlineData(0.0, 0.0, JudgeOutcome.Tie)]
    public void AScoreDifferenceIsAnOutcome(double difference, double margin, JudgeOutcome expected) =>
        Assert.Equal(expected, WinTieLose.Outcome(difference, margin));
}
