using Eppo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Model;

public sealed class ProbeEnergySwitchTests
{
    static readonly long[,] Tokens = { { 3, 17, 42, 8, 1, 29 }, { 0, 0, 11, 5, 48, 23 } };
    static readonly long[,] Mask = { { 1, 1, 1, 1, 1, 1 }, { 0, 0, 1, 1, 1, 1 } };

    [Theory]
    [InlineData(ModelFamily.Llama, EnergySite.Block)]
    [InlineData(ModelFamily.Llama, EnergySite.MlpLinears)]
    [InlineData(ModelFamily.Gpt2, EnergySite.DownProj)]
    public void ProbeOffGivesIdenticalLogitsAndZeroEnergy(ModelFamily family, EnergySite site)
    {
        using var scope = NewDisposeScope();
        using var model = new DecoderModel(ModelConfig.Tiny(family, probeSite: site), seed: 5, initStd: 0.2);
        var (ids, mask) = (tensor(Tokens), tensor(Mask));
        var positions = Positions.FromMask(mask);

        var on = model.Forward(ids, positions, mask);
        model.ProbeEnergy = false;
        var off = model.Forward(ids, positions, mask);

        Assert.True(on.Head.eq(off.Head).all().item<bool>(), "logits must not depend on the probe");
        Assert.True(on.Hidden.eq(off.Hidden).all().item<bool>());
        Assert.Equal(on.Energy.shape, off.Energy.shape);
        Assert.Equal(0f, off.Energy.abs().max().item<float>());
        Assert.True(on.Energy.abs().max().item<float>() > 1e-3, "the probe, when on, measures something");
    }

    [Fact]
    public void ProbeIsOnByDefault()
    {
        using var model = new DecoderModel(ModelConfig.Tiny());
        Assert.True(model.ProbeEnergy);
    }
}
