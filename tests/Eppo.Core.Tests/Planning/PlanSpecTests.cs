using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Core.Planning;
using Eppo.Core.Preparation;
using Eppo.Tests;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Planning;

/// <summary>What `eppo plan` reads: specs whose data live elsewhere, checkpoints' configs, sizes; bad input in one line.</summary>
public sealed class PlanSpecTests : IDisposable
{
    readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("eppo-plan-");

    public void Dispose() => dir.Delete(recursive: true);

    string Write(string name, string text)
    {
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void AShippedPlanSpecReadsThoughItsPolicyAndDataAreNotHere()
    {
        var (run, policy) = PlanSpec.Load(RepoRoot.Path("deploy", "examples", "plan", "llama3-8b-lora.json"));
        Assert.Equal("/models/Meta-Llama-3-8B-Instruct", policy);
        Assert.Equal(16, run.Lora!.Rank);
        Assert.True(run.Lora.Targets.AllLinear);
        Assert.Equal(ScalarType.BFloat16, run.BaseDtype);
        Assert.Equal(256, run.PromptTokens);
        Assert.False(run.SeparateCritic);
        var full = PlanSpec.Load(RepoRoot.Path("deploy", "examples", "plan", "llama3-8b-full.json")).Run;
        Assert.Null(full.Lora);
        Assert.Equal((run.BatchSize, run.MiniBatchSize, run.NewTokens), (full.BatchSize, full.MiniBatchSize, full.NewTokens));
    }

    [Fact]
    public void RewardCheckpointsAndAnSftCheckpointNeedNotBeHereButTheyCount()
    {
        var path = Write("spec.json", """
            { "method": "ppo", "reward": { "source": "checkpoints", "checkpoints": ["/models/rm-a", "/models/rm-b"], "combine": "mean" },
              "sft": { "source": "/models/sft" } }
            """);
        var (run, policy) = PlanSpec.Load(path);
        Assert.Equal(2, run.RewardModels);
        Assert.Null(policy);
        Assert.Equal(1, PlanSpec.Load(Write("one.json", """{ "method": "ppo", "reward": { "source": "/models/rm" } }""")).Run.RewardModels);
        Assert.Equal(0, PlanSpec.Load(Write("gold.json", """{ "method": "ppo", "reward": { "source": "gold" } }""")).Run.RewardModels);
    }

    [Theory]
    [InlineData("""{ "batch_size": 64, "mini_batch_size": 7 }""", "field 'mini_batch_size'")]
    [InlineData("""{ "reward": { "source": "checkpoints" } }""", "field 'reward.checkpoints'")]
    [InlineData("""{ "model": { "adapter": { "r": 0 } } }""", "field 'model.adapter.r'")]
    [InlineData("""{ "model": { "dtype": "bfloat16" } }""", "field 'model.dtype'")]
    [InlineData("""{ "task": "text", "text": { "policy": "/nowhere", "data": "/nowhere", "max_prompt_tokens": 0 } }""", "field 'text.max_prompt_tokens'")]
    [InlineData("""{ "task": "text", "text": { "max_prompt_tokenz": 5 } }""", "text.max_prompt_tokenz")]
    [InlineData("""{ "batch_size": "many" }""", "field 'batch_size'")]
    [InlineData("""{ "batch_size": 64, """, "not valid JSON")]
    public void ABadSpecIsOneLineNamingTheFileAndField(string json, string expected)
    {
        var path = Write("spec.json", json);
        var error = Assert.Throws<EppoException>(() => PlanSpec.Load(path));
        Assert.StartsWith(path, error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AModelsConfigIsReadFromEitherKindOfCheckpoint()
    {
        var config = ModelConfig.Tiny(vocabSize: 21);
        using var model = new DecoderModel(config, seed: 1);
        var ours = Path.Combine(dir.FullName, "ours");
        ModelStore.Save(ours, model);
        var theirs = Path.Combine(dir.FullName, "theirs");
        HuggingFaceExport.Save(model, theirs);
        Assert.Equal(config with { ProbeSite = EnergySite.DownProj }, PlanSpec.ReadModel(ours) with { ProbeSite = EnergySite.DownProj });
        Assert.Equal(ModelTensors.Elements(ModelTensors.Of(config, HeadKind.LanguageModel)),
            ModelTensors.Elements(ModelTensors.Of(PlanSpec.ReadModel(theirs), HeadKind.LanguageModel)));
        Assert.Contains("--model", Assert.Throws<EppoException>(() => PlanSpec.ReadModel(Path.Combine(dir.FullName, "missing"))).Message);
    }

    [Theory]
    [InlineData("141GiB", 141L << 30)]
    [InlineData("80 GB", 80_000_000_000L)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("1.5TiB", 3L << 39)]
    [InlineData("4096", 4096L)]
    public void SizesReadAsWritten(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text, "--gpu-memory"));

    [Theory]
    [InlineData("12XB")]
    [InlineData("GiB")]
    [InlineData("-3GiB")]
    [InlineData("0")]
    public void ABadSizeNamesTheOption(string text) =>
        Assert.StartsWith("--gpu-memory: '", Assert.Throws<EppoException>(() => ByteSize.Parse(text, "--gpu-memory")).Message);

    [Fact]
    public void AnUnknownShapeNamesTheOptionAndTheKnownOnes()
    {
        var message = Assert.Throws<EppoException>(() => ModelShapes.Get("llama4")).Message;
        Assert.StartsWith("--shape: unknown shape 'llama4'", message);
        Assert.Contains("llama3-8b", message);
    }
}
