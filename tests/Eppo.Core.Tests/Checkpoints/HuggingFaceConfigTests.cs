using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Core.Preparation;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Checkpoints;

/// <summary>
/// The one config.json format: transformers' defaults for absent fields, our probe site as an extension key, model
/// directories written with the format before it (ModelConfigJson's "model_family" strings) still loading, and a file
/// that is JSON but not an object refused in one line.
/// </summary>
public sealed class HuggingFaceConfigTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("eppo-config-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    (ModelConfig Config, string Architecture) Read(string json)
    {
        var path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, json);
        return HuggingFaceConfig.Read(path);
    }

    const string Gpt2 = """ "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 64, "n_embd": 32, "n_layer": 2, "n_head": 4, "n_positions": 32 """;
    const string Llama = """ "vocab_size": 64, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 8192 """;

    [Fact]
    public void AbsentFieldsTakeTransformersDefaults()
    {
        // GPT2Config: layer_norm_epsilon 1e-5, n_inner 4·n_embd; PretrainedConfig ties the head unless told otherwise.
        var gpt2 = Read($$"""{ {{Gpt2}} }""").Config;
        Assert.Equal((true, 1e-5, 128, 4), (gpt2.TieEmbeddings, gpt2.NormEps, gpt2.IntermediateSize, gpt2.KvHeads));
        Assert.False(Read($$"""{ {{Gpt2}}, "tie_word_embeddings": false }""").Config.TieEmbeddings);

        // LlamaConfig: rms_norm_eps 1e-6, untied, rope_theta 10000, all heads are KV heads.
        var (llama, architecture) = Read($$"""{ "architectures": ["LlamaForCausalLM"], {{Llama}} }""");
        Assert.Equal(("LlamaForCausalLM", false, 1e-6, 10000.0, 4, false), (architecture, llama.TieEmbeddings, llama.NormEps, llama.RopeTheta, llama.KvHeads, llama.AttentionBias));
        Assert.Equal(EnergySite.DownProj, llama.ProbeSite);

        // MistralConfig: 8 KV heads and a 4096-token sliding window unless said (null: none).
        var mistral = Read($$"""{ "architectures": ["MistralForCausalLM"], {{Llama.Replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 16").Replace("\"hidden_size\": 32", "\"hidden_size\": 64")}} }""").Config;
        Assert.Equal((8, 4096, 1e-6), (mistral.KvHeads, mistral.MaxPositions, mistral.NormEps));
        Assert.Equal(8192, Read($$"""{ "architectures": ["MistralForCausalLM"], {{Llama}}, "num_key_value_heads": 2, "sliding_window": null }""").Config.MaxPositions);

        // Qwen2Config: q/k/v biases always, untied.
        var qwen2 = Read($$"""{ "architectures": ["Qwen2ForCausalLM"], {{Llama}}, "num_key_value_heads": 2 }""").Config;
        Assert.Equal((true, false, 1e-6), (qwen2.AttentionBias, qwen2.TieEmbeddings, qwen2.NormEps));
    }

    [Theory]
    [InlineData(ModelFamily.Llama, HeadKind.LanguageModel, "LlamaForCausalLM")]
    [InlineData(ModelFamily.Gpt2, HeadKind.LanguageModel, "GPT2LMHeadModel")]
    [InlineData(ModelFamily.Llama, HeadKind.Reward, "LlamaForSequenceClassification")]
    public void WrittenConfigsReadBackWithArchitectureAndProbeSite(ModelFamily family, HeadKind head, string architecture)
    {
        var config = ModelConfig.Tiny(family, probeSite: EnergySite.MlpLinears, tieEmbeddings: family == ModelFamily.Llama) with { NormEps = 1e-6 };
        var (back, backArchitecture) = Read(HuggingFaceConfig.Write(config, head, "float32"));
        Assert.Equal((config, architecture), (back, backArchitecture));
        Assert.Equal(EnergySite.Block, HuggingFaceConfig.Read(Path.Combine(dir, "config.json"), EnergySite.Block).Config.ProbeSite);  // the caller's site wins
        Assert.Equal(config, HuggingFaceConfig.Parse(HuggingFaceConfig.Write(config)));  // without "architectures": model_type says the family
    }

    [Theory]
    [InlineData("[1, 2]", "array")]
    [InlineData("\"x\"", "string")]
    [InlineData("3", "number")]
    [InlineData("null", "null")]
    public void JsonThatIsNotAnObjectIsOneLineNamingTheFile(string json, string kind)
    {
        var path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, json);
        var message = Assert.Throws<EppoException>(() => HuggingFaceConfig.Read(path)).Message;
        Assert.StartsWith($"{path}: not a JSON object", message);
        Assert.EndsWith($"got {kind}", message);
        Assert.Contains("not a JSON object", Assert.Throws<EppoException>(() => ModelConfig.FromJson(json)).Message);
    }

    [Fact]
    public void AFieldOfTheWrongTypeIsNamed()
    {
        Assert.Contains("field 'hidden_size': must be an integer, got \"32\"",
            Assert.Throws<EppoException>(() => Read($$"""{ "architectures": ["LlamaForCausalLM"], {{Llama.Replace("\"hidden_size\": 32", "\"hidden_size\": \"32\"")}} }""")).Message);
        Assert.Contains("field 'architectures': must be a list",
            Assert.Throws<EppoException>(() => Read($$"""{ "architectures": "LlamaForCausalLM", {{Llama}} }""")).Message);
        Assert.Contains("field 'rope_scaling': must be an object",
            Assert.Throws<EppoException>(() => Read($$"""{ "architectures": ["LlamaForCausalLM"], {{Llama}}, "rope_scaling": 8 }""")).Message);
        Assert.Contains("field 'probe_site'", Assert.Throws<EppoException>(() => Read($$"""{ {{Gpt2}}, "probe_site": "attn" }""")).Message);
        var invalid = Assert.Throws<EppoException>(() => Read($$"""{ {{Gpt2}}, "n_head": 5 }""")).Message;  // 5 heads do not divide 32
        Assert.StartsWith(Path.Combine(dir, "config.json") + ": Model config: Heads", invalid);
    }

    /// <summary>Exactly what ModelConfigJson.Write produced for these configs (metadata.json of every model directory written before).</summary>
    public static TheoryData<string, ModelConfig> OldConfigStrings => new()
    {
        {
            """
            {
              "model_family": "llama",
              "vocab_size": 50,
              "hidden_size": 32,
              "num_hidden_layers": 2,
              "num_attention_heads": 4,
              "num_key_value_heads": 2,
              "intermediate_size": 64,
              "max_position_embeddings": 128,
              "tie_word_embeddings": false,
              "rope_theta": 10000,
              "rms_norm_eps": 1E-05,
              "probe_site": "mlp",
              "attention_bias": true,
              "rope_scaling": {
                "rope_type": "llama3",
                "factor": 8,
                "low_freq_factor": 1,
                "high_freq_factor": 4,
                "original_max_position_embeddings": 64
              }
            }
            """,
            ModelConfig.Tiny(probeSite: EnergySite.Mlp) with { AttentionBias = true, RopeScaling = new RopeScaling(8, 1, 4, 64) }
        },
        {
            """
            {
              "model_family": "gpt2",
              "vocab_size": 50,
              "hidden_size": 32,
              "num_hidden_layers": 2,
              "num_attention_heads": 4,
              "num_key_value_heads": 4,
              "intermediate_size": 128,
              "max_position_embeddings": 128,
              "tie_word_embeddings": false,
              "rope_theta": 10000,
              "layer_norm_epsilon": 1E-05,
              "probe_site": "down_proj"
            }
            """,
            ModelConfig.Tiny(ModelFamily.Gpt2)
        },
    };

    [Theory, MemberData(nameof(OldConfigStrings))]
    public void AModelDirectoryWrittenBeforeStillLoads(string oldConfig, ModelConfig expected)
    {
        using var model = new DecoderModel(expected, HeadKind.Reward, seed: 3);
        var store = Path.Combine(dir, "rm");
        Checkpoint.Save(store, model, null, new ModelStore.Metadata(oldConfig, HeadKind.Reward, new() { ["norm_std"] = 2 }));

        var (loaded, extra) = ModelStore.Load(store);
        using (loaded)
        {
            Assert.Equal((expected, HeadKind.Reward, 2.0), (loaded.Config, loaded.Kind, extra["norm_std"]));
            using var scope = NewDisposeScope();
            var ids = tensor(new long[] { 1, 2, 3, 4 }, [1, 4]);
            var mask = ones(1, 4, ScalarType.Int64);
            using (no_grad())
                Assert.True(model.Forward(ids, Positions.FromMask(mask), mask).Head.eq(loaded.Forward(ids, Positions.FromMask(mask), mask).Head).all().item<bool>());
        }
    }
}
