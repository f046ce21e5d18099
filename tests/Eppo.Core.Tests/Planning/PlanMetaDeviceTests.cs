using Eppo.Core.Adapters;
using Eppo.Core.Model;
using Eppo.Core.Planning;
using Eppo.Core.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Planning;

/// <summary>
/// The plan's parameter counts for the 7–8B shapes against the models themselves, built on libtorch's meta device
/// (shapes, no memory), and against the published counts of those checkpoints.
/// </summary>
[Collection(DefaultDeviceCollection.Name)]
public sealed class PlanMetaDeviceTests
{
    [Theory]
    [InlineData("llama3-8b", 8_030_261_248L)]
    [InlineData("llama2-7b", 6_738_415_616L)]
    [InlineData("mistral-7b", 7_241_732_096L)]
    public void LargeShapesCountAsTheirModelsAndTheirPublishedSizes(string shape, long published)
    {
        var config = ModelShapes.Get(shape);
        var counted = ModelTensors.Of(config, HeadKind.LanguageModel, ScalarType.BFloat16);
        Assert.Equal(published, ModelTensors.Elements(counted));
        OnMeta(() =>
        {
            using var model = DecoderModel.ToOverwrite(config, HeadKind.LanguageModel, dtype: ScalarType.BFloat16);
            Assert.All(model.named_parameters(), p => Assert.True(p.parameter.device_type == DeviceType.META, $"{p.name} is on {p.parameter.device}"));
            Assert.Equal(published, model.parameters().Sum(p => p.numel()));
            Assert.Equal(counted.Select(t => (t.Name, string.Join("×", t.Shape), t.Dtype)),
                model.state_dict().Select(kv => (kv.Key, string.Join("×", kv.Value.shape), kv.Value.dtype)));
        });
    }

    [Fact]
    public void Llama3AdapterOfRank16OnEveryLinearHas42MillionParameters()
    {
        var config = ModelShapes.Get("llama3-8b");
        var lora = new LoraConfig(16, 32, LoraTargets.Of([LoraTargets.AllLinearName]));
        // Per layer r·Σ(in + out): q, o 4096 + 4096; k, v 4096 + 1024; gate, up, down 4096 + 14336.
        const long perLayer = 16L * (2 * 8192 + 2 * 5120 + 3 * 18432);
        Assert.Equal(32 * perLayer, ModelTensors.Elements(ModelTensors.Adapter(config, lora)));
        Assert.Equal(41_943_040L, 32 * perLayer);
        OnMeta(() =>
        {
            using var model = DecoderModel.ToOverwrite(config, HeadKind.LanguageModel, dtype: ScalarType.BFloat16);
            using var adapter = LoraAdapter.ToOverwrite(lora, model);
            Assert.Equal(32 * perLayer, adapter.parameters().Sum(p => p.numel()));
            using var critic = new AdapterCritic(lora, model, 1, 2);
            Assert.Equal(32 * perLayer + 4096, critic.parameters().Sum(p => p.numel()));
            Assert.Equal(ModelTensors.Elements(ModelTensors.AdapterCritic(config, lora)), critic.parameters().Sum(p => p.numel()));
        });
    }

    static void OnMeta(Action work)
    {
        var previous = get_default_device();
        set_default_device(new Device(DeviceType.META));
        try { work(); }
        finally { set_default_device(previous); }
    }
}
