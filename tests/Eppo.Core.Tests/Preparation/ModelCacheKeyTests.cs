using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Eppo.Contracts;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Core.Text;
using Eppo.Core.Preparation;
using Eppo.Tests;

namespace Eppo.Core.Tests.Preparation;

/// <summary>
/// The SFT model's cache key comes from the whole spec but its RL-only fields (<see cref="SftIdentity"/>): every field
/// is classified, a change to any shaping field separates models, and the keys of existing specs are the ones the
/// hand-listed key gave (models prepared before stay valid).
/// </summary>
public sealed class ModelCacheKeyTests : IDisposable
{
    /// <summary>The fields that shape the SFT model, besides max_new_tokens (<see cref="SftIdentity.ResponseLimit"/>). A new RunSpec field goes here or into <see cref="SftIdentity.RlOnly"/>.</summary>
    static readonly string[] Shaping = ["task", "text", "hackbench", "model", "sft", "seed", "model.family", "model.hidden_size", "model.layers", "model.heads",
        "model.kv_heads", "model.intermediate_size"];

    // A folder name JSON escapes, so escaping is part of what must come out the same.
    readonly string dir = Directory.CreateTempSubdirectory("eppo-key-ü+<").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string SftKey(RunSpec spec) => Path.GetFileName(Path.GetDirectoryName(ModelPreparation.SftPath(spec, "/r"))!);

    /// <summary>The key as it was computed before it was derived: these fields, listed by hand.</summary>
    static string HandListedKey(RunSpec spec) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        PreparationVersion = 2, spec.Task, spec.Text, Model = spec.Model with { Adapter = null, Dtype = null }, spec.Sft, spec.Seed,
        Limit = spec.Text is null ? (int?)null : spec.MaxNewTokens,
    }, RunSpec.Json))))[..16];

    static IEnumerable<string> Fields(Type type, string prefix = "") => type
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always })
        .Select(p => prefix + (p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)));

    [Fact]
    public void EveryRunSpecFieldIsClassified()
    {
        var fields = Fields(typeof(RunSpec)).Concat(Fields(typeof(ModelSpec), "model.")).ToArray();
        var unclassified = fields.Except(Shaping).Except(SftIdentity.RlOnly).Except([SftIdentity.ResponseLimit]).ToArray();
        Assert.True(unclassified.Length == 0, $"classify {string.Join(", ", unclassified)}: add to SftIdentity.RlOnly (does not shape the SFT model) or to this test's Shaping list");
        Assert.Empty(SftIdentity.RlOnly.Except(fields));   // no stale or misspelt entry
        Assert.Empty(SftIdentity.RlOnly.Intersect(Shaping));
    }

    [Fact]
    public void ExistingSpecsKeepTheirKeys()
    {
        // Computed by the hand-listed key before this change; the quick demo's models are under its seed-1 key.
        Assert.Equal("de126c283037fa9f", SftKey(new RunSpec()));
        var quick = DemoQuickEppo().Validate("test");
        Assert.Equal("ff860417264ad806", SftKey(quick));
        Assert.Equal("a1111c73e4ae8a6b", SftKey(new RunSpec { Seed = 2, Method = "warm" }));
        Assert.Equal("cb64c4461fc2eaa9", ModelPreparation.CacheKey(quick));
        Assert.Equal("6cd20d4e360a7e95", ModelPreparation.MemberKey(quick, ModelPreparation.RewardPlan(quick)[0]));
        Assert.Equal("reward-b52b41659755b198/0", ModelPreparation.TrainerKey(new RunSpec(), ModelPreparation.RewardPlan(new RunSpec())[0]));
        foreach (var spec in new[] { new RunSpec(), quick, new RunSpec { Model = new ModelSpec { Adapter = new AdapterSpec(), Dtype = "bfloat16" } } })
            Assert.Equal(HandListedKey(spec), SftKey(spec));
    }

    /// <summary>The quick demo's EPPO run of seed 1 as its plan wrote it when the keys above were recorded.</summary>
    static RunSpec DemoQuickEppo() => new()
    {
        Name = "demo-quick-eppo-s1", Prompts = 4096,
        Model = new ModelSpec { HiddenSize = 48, Layers = 2, Heads = 4, KvHeads = 4, IntermediateSize = 128 },
        Sft = new SftSpec { Steps = 600, BatchSize = 64, Lr = 3e-3, Examples = 10000 },
        Reward = new RewardSpec { Pairs = 8000, Epochs = 2, BatchSize = 64, Lr = 1e-3 },
        Iterations = 60, BatchSize = 32, MiniBatchSize = 16, CheckpointInterval = 10, Generators = 1, PromptShards = 2,
        Eta = 1, EnergyScale = "spread", Method = "eppo", Seed = 1,
    };

    RunSpec TextSpec()
    {
        var tokenizer = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "Tokenizers", "llama3");
        var policy = Path.Combine(dir, "policy");
        using (var model = new DecoderModel(ModelConfig.Tiny(vocabSize: HuggingFaceTokenizer.Load(tokenizer).VocabSize, maxPositions: 128)))
            HuggingFaceExport.Save(model, policy, tokenizer);
        var data = Path.Combine(dir, "pairs.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 40).Select(i =>
            new JsonObject { ["prompt"] = $"\n\nHuman: Question {i % 20}?\n\nAssistant:", ["chosen"] = $"Answer {i}.", ["rejected"] = "No." }.ToJsonString()));
        return new RunSpec { Task = "text", MaxNewTokens = 16, Text = new TextSpec { Policy = policy, Data = data, HeldOutFraction = 0.2, MaxPromptTokens = 64 } };
    }

    [Fact]
    public void TextSpecsKeepTheirKeysAndTheirSectionSeparatesThem()
    {
        var text = TextSpec();
        Assert.Equal(HandListedKey(text), SftKey(text));
        var lora = text with { Model = text.Model with { Adapter = new AdapterSpec(), Dtype = "bfloat16" }, Method = "ppo", ActorLr = 1e-3 };
        Assert.Equal(SftKey(text), SftKey(lora));                                              // how RL trains: one SFT model
        Assert.NotEqual(SftKey(text), SftKey(text with { MaxNewTokens = 17 }));                // the text task cuts its SFT rows to it
        Assert.NotEqual(SftKey(text), SftKey(text with { Text = text.Text! with { JudgeFraction = 0.1 } }));  // any field of the section
        Assert.Equal(SftKey(new RunSpec()), SftKey(new RunSpec { MaxNewTokens = 17 }));       // HackBench's SFT data do not depend on it
    }

    [Fact]
    public void ShapingFieldsSeparateAndRlOnlyFieldsShare()
    {
        var spec = new RunSpec();
        Assert.NotEqual(SftKey(spec), SftKey(spec with { Seed = 2 }));
        Assert.NotEqual(SftKey(spec), SftKey(spec with { Sft = spec.Sft with { Steps = 7 } }));
        Assert.NotEqual(SftKey(spec), SftKey(spec with { Model = spec.Model with { Layers = 3 } }));
        // The SFT data's mix; left out, the key of the specs before the section existed (ExistingSpecsKeepTheirKeys).
        Assert.NotEqual(SftKey(spec), SftKey(spec with { HackBench = new HackBenchSpec { SftImperfect = 0.3 } }));
        Assert.Equal(SftKey(spec with { HackBench = new HackBenchSpec { SftImperfect = 0.3 } }), SftKey(spec with { HackBench = new HackBenchSpec { SftImperfect = 0.3 }, Eta = 4 }));
        Assert.Equal(SftKey(spec), SftKey(spec with
        {
            Name = "other", Method = "ppo-kl", Eta = 5, Iterations = 3, Prompts = 10, Reward = spec.Reward with { Pairs = 9 }, ProbeSite = "block",
            KlTarget = 1, Generators = 7,
        }));
    }
}
