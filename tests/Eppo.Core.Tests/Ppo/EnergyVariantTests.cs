using Eppo.Contracts;
using Eppo.Core.Ppo;
using Eppo.Core.Tests.Iteration;

namespace Eppo.Core.Tests.Ppo;

/// <summary>EPPO's energy variants by hand, and the spec's refusals of bad variant settings.</summary>
public sealed class EnergyVariantTests
{
    static readonly float[] Sft = [-0.5f, -0.2f, 0.1f];
    static readonly float[] Read = [-0.3f, -0.4f, 0.1f];   // rises +0.2, −0.2, 0 over SFT

    static void Close(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 6);
    }

    [Fact]
    public void ThePapersPenaltyIsTheAbsoluteDifference() =>
        Close([0.2, 0.2, 0], EnergyVariant.Paper.Penalty([Sft], [Read], [], 0));

    [Fact]
    public void OneSidedPenalisesOnlyARiseOfEnergyLoss() =>
        Close([0.2, 0, 0], (EnergyVariant.Paper with { OneSided = true }).Penalty([Sft], [Read], [], 0));

    [Fact]
    public void OfficialSumsOutputEnergyDifferencesOverModulesAndALowerOutputIsTheRise()
    {
        var official = EnergyVariant.Paper with { Official = true };
        // Two modules: output energy 1.0 → 0.7 (less output: a rise of loss of 0.3) and 2.0 → 2.1 (a fall of 0.1).
        float[][] sft = [[1.0f], [2.0f]], read = [[0.7f], [2.1f]];
        Close([0.4], official.Penalty(sft, read, [], 0));
        Close([0.3], (official with { OneSided = true }).Penalty(sft, read, [], 0));
    }

    [Fact]
    public void SpreadMeasuresThePenaltyInEnergySpreadsTimesTheRewardSpread()
    {
        var spread = EnergyVariant.Paper with { Spread = true };
        // |Δ| / 0.1 spreads of energy, each worth 2 of reward: 0.2 → 4.
        Close([4, 4, 0], spread.Penalty([Sft], [Read], [0.1], 2));
        var message = Assert.Throws<EppoException>(() => spread.Penalty([Sft], [Read], [0], 2)).Message;
        Assert.Contains("energy_scale", message);
        Assert.Contains("spread is 0", message);
    }

    [Fact]
    public void TheSpecRefusesUnknownVariantsAndASpreadOverOnePrompt()
    {
        var spec = TinyRun.Spec();
        string Refused(RunSpec s) => Assert.Throws<EppoException>(() => s.Validate("spec.json")).Message;
        Assert.Equal("spec.json: field 'energy_definition': unknown energy definition 'rebuttal' (expected one of paper, official)",
            Refused(spec with { EnergyDefinition = "rebuttal" }));
        Assert.Contains("field 'energy_reader': unknown energy reader 'critic'", Refused(spec with { EnergyReader = "critic" }));
        Assert.Contains("field 'energy_scale': unknown energy scale 'log'", Refused(spec with { EnergyScale = "log" }));
        Assert.Contains("field 'energy_scale': 'spread'", Refused(spec with { EnergyScale = "spread", Prompts = 1, BatchSize = 16 }));
        Assert.Equal(new EnergyVariant(true, true, true, true),
            EnergyVariant.Of(spec with { EnergyDefinition = "official", EnergyReader = "sft", EnergyScale = "spread", EnergyOneSided = true }));
    }
}
