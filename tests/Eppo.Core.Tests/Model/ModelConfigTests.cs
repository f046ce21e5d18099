using Eppo.Core.Model;

namespace Eppo.Core.Tests.Model;

public sealed class ModelConfigTests
{
    static readonly ModelConfig Good = ModelConfig.Tiny(ModelFamily.Llama);

    public static TheoryData<string, ModelConfig> BadConfigs => new()
    {
        { "VocabSize", Good with { VocabSize = 0 } },
        { "HiddenSize", Good with { HiddenSize = -4 } },
        { "Layers", Good with { Layers = 0 } },
        { "Heads", Good with { Heads = 0 } },
        { "KvHeads", Good with { KvHeads = 0 } },
        { "IntermediateSize", Good with { IntermediateSize = 0 } },
        { "MaxPositions", Good with { MaxPositions = 0 } },
        { "Heads", Good with { Heads = 5 } },                                      // does not divide 32
        { "KvHeads", Good with { KvHeads = 3 } },                                  // does not divide 4
        { "KvHeads", ModelConfig.Tiny(ModelFamily.Gpt2) with { KvHeads = 2 } },    // GPT-2 has no GQA
        { "Heads", Good with { HiddenSize = 12, Heads = 4, KvHeads = 2 } },        // head dim 3: RoPE needs even
        { "Family", Good with { Family = (ModelFamily)7 } },
        { "ProbeSite", Good with { ProbeSite = (EnergySite)9 } },
        { "RopeTheta", Good with { RopeTheta = 0 } },
        { "NormEps", Good with { NormEps = -1e-5 } },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void ValidateNamesTheBadField(string field, ModelConfig config)
    {
        var error = Assert.Throws<EppoException>(() => config.Validate());
        Assert.Contains(field, error.Message);
    }

    [Fact]
    public void TinyPresetsAreValid()
    {
        Assert.Same(Good, Good.Validate());
        var gpt2 = ModelConfig.Tiny(ModelFamily.Gpt2).Validate();
        Assert.Equal(gpt2.Heads, gpt2.KvHeads);
        Assert.Equal(8, Good.HeadDim);
    }

    [Theory]
    [InlineData(ModelFamily.Llama, EnergySite.MlpLinears, true)]
    [InlineData(ModelFamily.Gpt2, EnergySite.Block, false)]
    public void JsonRoundTripKeepsEveryField(ModelFamily family, EnergySite site, bool tie)
    {
        var config = ModelConfig.Tiny(family, vocabSize: 77, probeSite: site, tieEmbeddings: tie)
            with { NormEps = 1e-6, MaxPositions = 99 };
        if (family == ModelFamily.Llama) config = config with { RopeTheta = 500000 };  // GPT-2 has no RoPE: config.json carries no rope_theta
        var json = config.ToJson();
        Assert.Equal(config, ModelConfig.FromJson(json));
        // Hugging Face's names: GPT-2 its own (n_embd, …), the Llama family the common ones.
        var llama = family == ModelFamily.Llama;
        Assert.Contains(llama ? "\"model_type\": \"llama\"" : "\"model_type\": \"gpt2\"", json);
        Assert.Contains(llama ? "\"hidden_size\": 32" : "\"n_embd\": 32", json);
        Assert.Contains(llama ? "\"num_hidden_layers\": 2" : "\"n_layer\": 2", json);
        Assert.Contains(llama ? "\"max_position_embeddings\": 99" : "\"n_positions\": 99", json);
        Assert.Equal(llama, json.Contains("\"num_key_value_heads\""));
        Assert.Contains($"\"probe_site\": \"{site.ToConfigString()}\"", json);
        Assert.Contains(llama ? "\"rms_norm_eps\"" : "\"layer_norm_epsilon\"", json);
        Assert.DoesNotContain("architectures", json);  // the head is the model directory's metadata
    }

    [Fact]
    public void ReadsHuggingFaceGpt2Names()
    {
        const string json = """
            { "model_type": "gpt2", "vocab_size": 50257, "n_embd": 768, "n_layer": 12, "n_head": 12,
              "n_inner": null, "n_positions": 1024, "layer_norm_epsilon": 1e-05, "tie_word_embeddings": true }
            """;
        var config = ModelConfig.FromJson(json);
        Assert.Equal(new ModelConfig(ModelFamily.Gpt2, 50257, 768, 12, 12, 12, 3072, 1024, TieEmbeddings: true), config);
    }

    [Fact]
    public void JsonErrorsNameTheProblem()
    {
        const string noVocab = """
            { "model_family": "llama", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
              "intermediate_size": 64, "max_position_embeddings": 16 }
            """;
        Assert.Contains("vocab_size", Assert.Throws<EppoException>(() => ModelConfig.FromJson(noVocab)).Message);
        Assert.Contains("mistral", Assert.Throws<EppoException>(() => ModelConfig.FromJson(
            """{ "model_family": "mistral" }""")).Message);
        Assert.Contains("malformed", Assert.Throws<EppoException>(() => ModelConfig.FromJson("{ not json")).Message);
        var badSite = Good.ToJson().Replace("\"down_proj\"", "\"attn\"");
        Assert.Contains("'attn'", Assert.Throws<EppoException>(() => ModelConfig.FromJson(badSite)).Message);
    }

    [Theory]
    [InlineData("block", EnergySite.Block)]
    [InlineData("mlp", EnergySite.Mlp)]
    [InlineData("down_proj", EnergySite.DownProj)]
    [InlineData("mlp_linears", EnergySite.MlpLinears)]
    public void EnergySiteStringsRoundTrip(string text, EnergySite site)
    {
        Assert.Equal(site, EnergySites.Parse(text));
        Assert.Equal(text, site.ToConfigString());
    }

    [Fact]
    public void UnknownEnergySiteIsNamed()
    {
        Assert.Contains("'Down_Proj'", Assert.Throws<EppoException>(() => EnergySites.Parse("Down_Proj")).Message);
    }
}
