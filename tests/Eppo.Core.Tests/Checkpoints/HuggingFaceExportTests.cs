using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Tests;
using static TorchSharp.torch;
using Eppo.Core.Preparation;

namespace Eppo.Core.Tests.Checkpoints;

/// <summary>
/// Export writes the layout it imports: the fixtures' tensors come back bit for bit (GPT-2's Conv1D weights in × out
/// again, a tied head not written), and import → export → import gives the same model.
/// </summary>
public sealed class HuggingFaceExportTests : IDisposable
{
    static readonly string Fixtures = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "HuggingFace");
    readonly string scratch = Directory.CreateTempSubdirectory("eppo-hf-export-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    static Dictionary<string, int[]> Bits(string dir)
    {
        var file = SafetensorsFile.Open(Path.Combine(dir, HuggingFaceCheckpoint.WeightsFile));
        return file.Entries.Keys.Where(k => !k.EndsWith(".attn.bias", StringComparison.Ordinal))
            .ToDictionary(k => k, k => file.ReadFloat32(k).data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray());
    }

    [Theory]
    [InlineData("gpt2-tied-f32")]
    [InlineData("llama-gqa-f32")]
    [InlineData("qwen2-tied-f32")]
    [InlineData("llama3-scaled-f32")]
    public void AnImportedCheckpointExportsToTheSameTensorsAndConfig(string name)
    {
        var source = Path.Combine(Fixtures, name);
        var exported = Path.Combine(scratch, name);
        using (var model = HuggingFaceCheckpoint.Load(source)) HuggingFaceExport.Save(model, exported);

        var (original, back) = (Bits(source), Bits(exported));
        Assert.Equal(original.Keys.Order(), back.Keys.Order());
        foreach (var (key, bits) in original) Assert.True(bits.SequenceEqual(back[key]), $"{name}: tensor '{key}' differs");
        Assert.Equal(HuggingFaceConfig.Read(Path.Combine(source, HuggingFaceCheckpoint.ConfigFile)),
            HuggingFaceConfig.Read(Path.Combine(exported, HuggingFaceCheckpoint.ConfigFile)));
    }

    [Fact]
    public void AFp16CheckpointRoundTripsThroughExportBitExactly()
    {
        var once = Path.Combine(scratch, "once");
        var twice = Path.Combine(scratch, "twice");
        using (var model = HuggingFaceCheckpoint.Load(Path.Combine(Fixtures, "gpt2-noprefix-f16"))) HuggingFaceExport.Save(model, once);
        using (var model = HuggingFaceCheckpoint.Load(once)) HuggingFaceExport.Save(model, twice);
        var (a, b) = (Bits(once), Bits(twice));
        Assert.All(a.Keys, k => Assert.StartsWith("transformer.", k));   // exported with GPT2LMHeadModel's prefix
        foreach (var (key, bits) in a) Assert.True(bits.SequenceEqual(b[key]), key);
    }

    [Fact]
    public void ARewardModelExportsAsSequenceClassificationAndComesBackAsOne()
    {
        var dir = Path.Combine(scratch, "rm");
        using var rm = new DecoderModel(ModelConfig.Tiny(), HeadKind.Reward, seed: 4);
        HuggingFaceExport.Save(rm, dir);
        Assert.Equal("LlamaForSequenceClassification", HuggingFaceConfig.Read(Path.Combine(dir, HuggingFaceCheckpoint.ConfigFile)).Architecture);
        using var back = HuggingFaceCheckpoint.Load(dir);
        Assert.Equal(HeadKind.Reward, back.Kind);
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 1, 2, 3, 4 }, [1, 4]);
        var mask = ones(1, 4, ScalarType.Int64);
        using (no_grad())
            Assert.True(rm.Forward(ids, Positions.FromMask(mask), mask).Head.eq(back.Forward(ids, Positions.FromMask(mask), mask).Head).all().item<bool>());
        // As a run's reward source: ModelStore reads the Hugging Face directory, with the run's probe site.
        var (stored, extra) = Eppo.Core.Preparation.ModelStore.Load(dir, EnergySite.Mlp);
        using (stored)
        {
            Assert.Equal((HeadKind.Reward, EnergySite.Mlp, 0), (stored.Kind, stored.Config.ProbeSite, extra.Count));
            using (no_grad())
                Assert.True(rm.Forward(ids, Positions.FromMask(mask), mask).Head.eq(stored.Forward(ids, Positions.FromMask(mask), mask).Head).all().item<bool>());
        }
        using var critic = new DecoderModel(ModelConfig.Tiny(), HeadKind.Value);
        Assert.Contains("critic", Assert.Throws<EppoException>(() => HuggingFaceExport.Save(critic, Path.Combine(scratch, "critic"))).Message);
    }
}
