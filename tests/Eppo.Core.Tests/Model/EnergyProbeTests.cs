using Eppo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Model;

public sealed class EnergyProbeTests
{
    // Row 0: six real tokens; row 1: two left pads, then four.
    static readonly long[,] Tokens = { { 3, 17, 42, 8, 1, 29 }, { 0, 0, 11, 5, 48, 23 } };
    static readonly long[,] Mask = { { 1, 1, 1, 1, 1, 1 }, { 0, 0, 1, 1, 1, 1 } };
    static readonly long[,] PositionIds = { { 0, 1, 2, 3, 4, 5 }, { 0, 0, 0, 1, 2, 3 } };

    [Theory]
    [InlineData(ModelFamily.Llama, EnergySite.Block)]
    [InlineData(ModelFamily.Llama, EnergySite.Mlp)]
    [InlineData(ModelFamily.Llama, EnergySite.DownProj)]
    [InlineData(ModelFamily.Llama, EnergySite.MlpLinears)]
    [InlineData(ModelFamily.Gpt2, EnergySite.Block)]
    [InlineData(ModelFamily.Gpt2, EnergySite.Mlp)]
    [InlineData(ModelFamily.Gpt2, EnergySite.DownProj)]
    [InlineData(ModelFamily.Gpt2, EnergySite.MlpLinears)]
    public void ProbeEqualsHandComputedFinalBlock(ModelFamily family, EnergySite site)
    {
        using var scope = NewDisposeScope();
        using var model = new DecoderModel(ModelConfig.Tiny(family, probeSite: site), seed: 11, initStd: 0.2);
        var mask = tensor(Mask);
        var (output, residuals) = model.ForwardWithResiduals(tensor(Tokens), Positions.FromMask(mask), mask);
        Assert.Equal(PositionIds, To2D(Positions.FromMask(mask)));

        var reference = ReferenceFinalBlock.Compute(model, residuals[^2], PositionIds, Mask);
        AssertClose(reference.BlockOut, residuals[^1], 1e-4);      // the hand recomputation is itself right
        var expected = reference.ExpectedEnergy(site);
        Assert.Equal([2L, 6L], output.Energy.shape);
        AssertClose(expected, output.Energy, 1e-5);
        Assert.True(expected.abs().max().item<float>() > 1e-3, "energy should not be trivially zero");
    }

    [Theory]
    [InlineData(ModelFamily.Llama, 3)]
    [InlineData(ModelFamily.Gpt2, 2)]
    public void OfficialOutputEnergiesAreEachMlpLinearsMeanAbsoluteOutput(ModelFamily family, int linears)
    {
        using var scope = NewDisposeScope();
        using var model = new DecoderModel(ModelConfig.Tiny(family, probeSite: EnergySite.MlpOutputs), seed: 11, initStd: 0.2);
        var mask = tensor(Mask);
        var (output, residuals) = model.ForwardWithResiduals(tensor(Tokens), Positions.FromMask(mask), mask);
        var reference = ReferenceFinalBlock.Compute(model, residuals[^2], PositionIds, Mask);
        Assert.Equal([2L, 6L, linears], output.Energy.shape);
        AssertClose(reference.ExpectedEnergy(EnergySite.MlpOutputs), output.Energy, 1e-5);
        // Averaged over response tokens channel by channel: row 1's two pads do not count.
        var perModule = Eppo.Core.Model.Energy.MaskedMean(output.Energy, mask);
        Assert.Equal([2L, linears], perModule.shape);
        var byHand = output.Energy[1].narrow(0, 2, 4).mean([0L]);
        AssertClose(byHand, perModule[1], 1e-6);
    }

    [Fact]
    public void SitesMeasureDifferentThings()
    {
        using var scope = NewDisposeScope();
        var mask = tensor(Mask);
        var energies = Enum.GetValues<EnergySite>().Where(site => site != EnergySite.MlpOutputs).Select(site =>
        {
            using var model = new DecoderModel(ModelConfig.Tiny(ModelFamily.Llama, probeSite: site), seed: 11, initStd: 0.2);
            return model.Forward(tensor(Tokens), Positions.FromMask(mask), mask).Energy;
        }).ToArray();
        for (var i = 0; i < energies.Length; i++)
            for (var j = i + 1; j < energies.Length; j++)
                Assert.False(energies[i].allclose(energies[j], rtol: 1e-3, atol: 1e-4), $"sites {i} and {j} agree");
    }

    [Fact]
    public void MaskedMeanAveragesOnlyMaskedTokens()
    {
        using var scope = NewDisposeScope();
        var energy = tensor(new float[,] { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } });
        var mask = tensor(new float[,] { { 1, 1, 0 }, { 0, 0, 0 }, { 0, 1, 1 } });
        Assert.Equal([1.5f, 0f, 8.5f], Eppo.Core.Model.Energy.MaskedMean(energy, mask).data<float>().ToArray());
    }

    [Fact]
    public void LossIsDifferenceOfMeanAbsoluteValues()
    {
        using var scope = NewDisposeScope();
        var input = tensor(new float[,] { { 1, -3 } });          // mean |·| = 2
        var output = tensor(new float[,] { { -1, 0, 2, -1 } });  // mean |·| = 1
        Assert.Equal([1f], Eppo.Core.Model.Energy.Loss(input, output).data<float>().ToArray());
    }

    internal static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference <= tolerance, $"max |difference| {difference} > {tolerance}");
    }

    static long[,] To2D(Tensor t)
    {
        var values = t.data<long>().ToArray();
        var result = new long[t.shape[0], t.shape[1]];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(long));
        return result;
    }
}
