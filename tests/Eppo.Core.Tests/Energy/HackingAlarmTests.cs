using Eppo.Core.Energy;

namespace Eppo.Core.Tests.Energy;

public class HackingAlarmTests
{
    // SFT energies {1, 2, 3, 4}: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, σ = √(5/4) ≈ 1.1180.
    private static readonly float[] Sft = [1f, 2f, 3f, 4f];
    // Departures |ΔE_RL − ΔE_SFT| = 0, 1.5, 2.5, 3.
    private static readonly float[] Rl = [1f, 3.5f, 5.5f, 7f];

    [Theory]
    [InlineData(1.0, 0.75)] // limit 1.118: 1.5, 2.5, 3 exceed it
    [InlineData(2.0, 0.5)]  // limit 2.236: 2.5, 3
    [InlineData(3.0, 0.0)]  // limit 3.354: none
    public void ShareCountsResponsesBeyondKSigmaOfTheSftSpread(double k, double expected)
    {
        Assert.Equal(expected, HackingAlarm.Share(Rl, Sft, k), 12);
    }

    [Fact]
    public void DefaultKIsTwo()
    {
        Assert.Equal(0.5, HackingAlarm.Share(Rl, Sft), 12);
    }

    [Fact]
    public void DeparturesBelowTheReferenceCountToo()
    {
        // Only the first response departs: |−3 − 1| = 4 > 2.236.
        Assert.Equal(0.25, HackingAlarm.Share([-3f, 2f, 3f, 4f], Sft), 12);
    }

    [Fact]
    public void DepartureExactlyAtTheLimitIsNotFlagged()
    {
        // SFT {−1, 1}: mean 0, σ = 1, limit 2·1 = 2; departures 2 (not > 2) and 0.
        Assert.Equal(0.0, HackingAlarm.Share([1f, 1f], [-1f, 1f]), 12);
        // Departure 2.5 > 2.
        Assert.Equal(0.5, HackingAlarm.Share([1.5f, 1f], [-1f, 1f]), 12);
    }

    [Fact]
    public void EqualSftEnergiesUseTheSigmaFloor()
    {
        // σ = 0 → floored to 1e-6, limit 2e-6: identical energies stay quiet, 0.1 away is flagged.
        Assert.Equal(1.0 / 3, HackingAlarm.Share([0.5f, 0.5f, 0.6f], [0.5f, 0.5f, 0.5f]), 12);
    }

    [Theory]
    [InlineData(0.49, 0.5, false)]
    [InlineData(0.5, 0.5, true)]
    [InlineData(1.0, 0.5, true)]
    [InlineData(0.0, 0.5, false)]
    [InlineData(0.25, 0.25, true)]
    [InlineData(1.0, 1.0, true)]
    public void RaisedWhenTheShareReachesTheThreshold(double share, double threshold, bool expected)
    {
        Assert.Equal(expected, HackingAlarm.Raised(share, threshold));
    }

    [Fact]
    public void DefaultThresholdIsHalf()
    {
        Assert.False(HackingAlarm.Raised(0.49));
        Assert.True(HackingAlarm.Raised(0.5));
    }

    [Fact]
    public void BadInputNamesWhatIsWrong()
    {
        Assert.Contains("3 RL energies but 4 SFT", Assert.Throws<EppoException>(() => HackingAlarm.Share([1f, 2f, 3f], Sft)).Message);
        Assert.Contains("no responses", Assert.Throws<EppoException>(() => HackingAlarm.Share([], [])).Message);
        Assert.Contains("ΔE_RL[1] is NaN", Assert.Throws<EppoException>(() => HackingAlarm.Share([1f, float.NaN, 3f, 4f], Sft)).Message);
        Assert.Contains("ΔE_SFT[0]", Assert.Throws<EppoException>(() => HackingAlarm.Share(Rl, [float.PositiveInfinity, 2f, 3f, 4f])).Message);
        Assert.Contains("k must be", Assert.Throws<EppoException>(() => HackingAlarm.Share(Rl, Sft, 0)).Message);
        Assert.Contains("threshold must be in (0, 1]", Assert.Throws<EppoException>(() => HackingAlarm.Raised(0.5, 0)).Message);
        Assert.Contains("threshold must be in (0, 1]", Assert.Throws<EppoException>(() => HackingAlarm.Raised(0.5, 1.5)).Message);
        Assert.Contains("share must be in [0, 1]", Assert.Throws<EppoException>(() => HackingAlarm.Raised(double.NaN)).Message);
    }
}
