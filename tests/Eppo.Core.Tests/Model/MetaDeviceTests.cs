using Eppo.Core.Adapters;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Core.Preparation;
using Eppo.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Model;

/// <summary>Tests that switch libtorch's process-wide default device run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultDeviceCollection
{
    public const string Name = "default device";
}

/// <summary>
/// Model construction and loading follow libtorch's default device. The meta device stands in for a GPU on a CPU-only
/// machine: it refuses ops that mix devices, as CUDA does, and holds no data. (It does accept a CPU generator for its
/// random draws, unlike CUDA: the generator's device is checked directly.)
/// </summary>
[Collection(DefaultDeviceCollection.Name)]
public sealed class MetaDeviceTests
{
    static readonly Device Meta = new(DeviceType.META);
    static readonly string Fixtures = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "HuggingFace");

    [Fact]
    public void TheMetaDeviceRefusesMixedDevicesAndSeededInitDrawsOnTheTensorsDevice()
    {
        OnMeta(() =>
        {
            // What the tests below rely on: a CPU tensor sneaking into a meta computation fails, as on a GPU.
            using var onMeta = empty(2, 2);
            using var onCpu = ones(2, 2, device: new Device(DeviceType.CPU));
            Assert.ThrowsAny<Exception>(() => onMeta.add(onCpu));
            // libtorch 2.10 lets a CPU generator fill a meta tensor (CUDA would not): so the generator's device is asserted.
            using var generator = SeededInit.Generator(1, onMeta.device);
            Assert.Equal(DeviceType.META, generator.device.type);
        });
    }

    [Theory]
    [InlineData(ModelFamily.Llama, HeadKind.LanguageModel)]
    [InlineData(ModelFamily.Gpt2, HeadKind.LanguageModel)]
    [InlineData(ModelFamily.Llama, HeadKind.Value)]
    [InlineData(ModelFamily.Llama, HeadKind.InfoReward)]
    public void ASeededModelIsBuiltOnTheDefaultDevice(ModelFamily family, HeadKind head)
    {
        OnMeta(() =>
        {
            using var model = new DecoderModel(ModelConfig.Tiny(family), head, seed: 3, rewardLatent: 4);
            AllOnMeta(model);
        });
    }

    [Fact]
    public void AdaptersAndTheirCriticAreBuiltOnTheDefaultDevice()
    {
        OnMeta(() =>
        {
            using var model = new DecoderModel(ModelConfig.Tiny(), seed: 3);
            var config = new LoraConfig(4, 8, LoraTargets.Of([LoraTargets.AllLinearName]));
            using var adapter = new LoraAdapter(config, model, seed: 5);
            using var critic = new AdapterCritic(config, model, 6, 7);
            AllOnMeta(adapter);
            AllOnMeta(critic);
        });
    }

    [Fact]
    public void CheckpointsLoadOntoTheDefaultDeviceWithoutTheSeededInit()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"eppo-meta-{Guid.NewGuid():N}");
        try
        {
            using (var saved = new DecoderModel(ModelConfig.Tiny(), seed: 3)) ModelStore.Save(dir, saved);
            OnMeta(() =>
            {
                using var ours = ModelStore.Load(dir).Model;
                AllOnMeta(ours);
                using var bf16 = ModelStore.Load(dir, dtype: ScalarType.BFloat16).Model;
                AllOnMeta(bf16);
                foreach (var name in new[] { "llama-gqa-f32", "gpt2-tied-f32", "llama-tied-bf16-sharded" })
                {
                    using var imported = HuggingFaceCheckpoint.Load(Path.Combine(Fixtures, name));
                    AllOnMeta(imported);
                }
            });
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    static void AllOnMeta(nn.Module module)
    {
        var tensors = module.state_dict();
        Assert.NotEmpty(tensors);
        Assert.All(tensors, kv => Assert.True(kv.Value.device_type == DeviceType.META, $"{kv.Key} is on {kv.Value.device}"));
    }

    static void OnMeta(Action work)
    {
        var previous = get_default_device();
        set_default_device(Meta);
        try { work(); }
        finally { set_default_device(previous); }
    }
}
