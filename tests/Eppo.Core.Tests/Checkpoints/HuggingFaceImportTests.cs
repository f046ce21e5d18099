using System.Text.Json;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Tests;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Checkpoints;

/// <summary>
/// Checkpoints in Hugging Face layout, written by an independent script (Fixtures/HuggingFace/make_fixtures.py, Debian's
/// python3-torch), load into our model and give the logits and the energy at every probe site of a reference forward
/// written from Hugging Face's modeling code — GPT-2 (Conv1D, prefix or not, tied head, fp16), Llama/Mistral (GQA,
/// untied and tied heads, bf16 in two shards, fp16, rope_theta 1e6), Qwen2 (q/k/v biases) and Llama 3 RoPE scaling.
/// </summary>
public sealed class HuggingFaceImportTests
{
    static readonly string Fixtures = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "HuggingFace");
    static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference.json"))).RootElement;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in new[] { "gpt2-tied-f32", "gpt2-noprefix-f16", "llama-gqa-f32", "llama-tied-bf16-sharded", "mistral-f16", "qwen2-tied-f32", "llama3-scaled-f32" })
            foreach (var site in new[] { "block", "mlp", "down_proj", "mlp_linears" })
                data.Add(c, site);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void LogitsAndEnergyMatchTheHuggingFaceReference(string name, string site)
    {
        using var scope = NewDisposeScope();
        using var model = HuggingFaceCheckpoint.Load(Path.Combine(Fixtures, name), EnergySites.Parse(site));
        var tokens = Reference.GetProperty("tokens").EnumerateArray().Select(r => r.EnumerateArray().Select(t => t.GetInt64()).ToArray()).ToArray();
        var (batch, time) = (tokens.Length, tokens[0].Length);
        var ids = tensor(tokens.SelectMany(t => t).ToArray(), [batch, time]);
        var mask = ones(batch, time, ScalarType.Int64);
        model.eval();
        DecoderOutput output;
        using (no_grad()) output = model.Forward(ids, Positions.FromMask(mask), mask);

        var expected = Reference.GetProperty("cases").GetProperty(name);
        var logits = expected.GetProperty("logits");
        var energy = expected.GetProperty("energy").GetProperty(site);
        var worstLogit = 0.0;
        var worstEnergy = 0.0;
        for (var b = 0; b < batch; b++)
            for (var t = 0; t < time; t++)
            {
                var row = logits[b][t].EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var ours = output.Head[b, t].data<float>().ToArray();
                Assert.Equal(row.Length, ours.Length);
                worstLogit = Math.Max(worstLogit, row.Zip(ours).Max(p => Math.Abs(p.First - p.Second)));
                worstEnergy = Math.Max(worstEnergy, Math.Abs(energy[b][t].GetDouble() - output.Energy[b, t].item<float>()));
            }
        Assert.True(worstLogit < 1e-4, $"{name}: logits differ by up to {worstLogit:E2}");
        Assert.True(worstEnergy < 1e-4, $"{name} at {site}: energy differs by up to {worstEnergy:E2}");
    }

    static string Copy(string name)
    {
        var dir = Directory.CreateTempSubdirectory("eppo-hf-").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, name))) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        return dir;
    }

    static string Refused(string dir) => Assert.Throws<EppoException>(() => HuggingFaceCheckpoint.Load(dir)).Message;

    static void EditConfig(string dir, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var path = Path.Combine(dir, HuggingFaceCheckpoint.ConfigFile);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }

    [Fact]
    public void BiasesAndRopeScalingSurviveOurOwnConfigFile()
    {
        var config = ModelConfig.Tiny() with { AttentionBias = true, RopeScaling = new RopeScaling(8, 1, 4, 64) };
        Assert.Equal(config, ModelConfig.FromJson(config.ToJson()));
        Assert.Equal(ModelConfig.Tiny(), ModelConfig.FromJson(ModelConfig.Tiny().ToJson()));
    }

    [Fact]
    public void WhatCannotBeLoadedExactlyIsRefusedInOneLineNamingIt()
    {
        var dir = Copy("llama-gqa-f32");
        try
        {
            EditConfig(dir, c => c["architectures"] = new System.Text.Json.Nodes.JsonArray("Phi3ForCausalLM"));
            Assert.Contains("field 'architectures': 'Phi3ForCausalLM' is not supported", Refused(dir));
            EditConfig(dir, c => { c["architectures"] = new System.Text.Json.Nodes.JsonArray("LlamaForCausalLM"); c["rope_scaling"] = new System.Text.Json.Nodes.JsonObject { ["rope_type"] = "yarn" }; });
            Assert.Contains("field 'rope_scaling': rope_type 'yarn' is not supported", Refused(dir));
            EditConfig(dir, c => c["rope_scaling"] = new System.Text.Json.Nodes.JsonObject { ["rope_type"] = "llama3", ["factor"] = 8.0 });
            Assert.Contains("field 'rope_scaling.low_freq_factor': missing", Refused(dir));
            EditConfig(dir, c => { c["rope_scaling"] = null; c["attention_bias"] = true; });
            Assert.Contains("field 'attention_bias'", Refused(dir));
            EditConfig(dir, c => c["attention_bias"] = false);
            EditConfig(dir, c => { c["rope_scaling"] = null; c["num_key_value_heads"] = 4; });
            var shape = Refused(dir);
            Assert.Contains("tensor 'model.layers.0.self_attn.k_proj.weight' has shape [16, 32]", shape);
            Assert.Contains("expects [32, 32]", shape);
            EditConfig(dir, c => { c["num_key_value_heads"] = 2; c["num_hidden_layers"] = 3; });
            Assert.Contains("tensor 'model.layers.2.", Refused(dir));
            EditConfig(dir, c => c["num_hidden_layers"] = 1);
            Assert.Contains("tensor 'model.layers.1.", Refused(dir));
            Assert.Contains("is not part of a LlamaForCausalLM", Refused(dir));
            EditConfig(dir, c => c["num_hidden_layers"] = 2);
            File.WriteAllBytes(Path.Combine(dir, HuggingFaceCheckpoint.WeightsFile), [1, 2, 3]);
            Assert.Contains("not a safetensors file", Refused(dir));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
