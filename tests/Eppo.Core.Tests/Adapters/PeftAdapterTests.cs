using System.Text.Json;
using Eppo.Core.Adapters;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Tests;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Adapters;

/// <summary>
/// PEFT adapters written by an independent script from PEFT's published code (Fixtures/Peft/make_adapters.py, Debian's
/// python3-torch) load onto the Hugging Face fixture models and give that script's logits and energies, unmerged and
/// merged: Llama q/v targets, all-linear with rsLoRA and a saved lm_head, GPT-2's Conv1D (fan_in_fan_out).
/// </summary>
public sealed class PeftAdapterTests
{
    internal static readonly string Fixtures = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "Peft");
    internal static readonly string Bases = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "HuggingFace");
    internal static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "reference.json"))).RootElement;

    public static TheoryData<string> Cases() => ["llama-qv-r4", "llama-all-rslora-head", "gpt2-conv1d"];

    [Theory, MemberData(nameof(Cases))]
    public void UnmergedAdapterGivesPeftsLogitsAndEnergy(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Base(name);
        using var loaded = PeftAdapter.Read(Path.Combine(Fixtures, name), model);
        loaded.ApplyModulesToSave(model);
        var output = Forward(model, loaded.Adapter);
        var expected = Reference.GetProperty("cases").GetProperty(name);
        AssertClose(expected.GetProperty("unmerged"), output.Head, 1e-5, $"{name}: unmerged logits");
        AssertClose(expected.GetProperty("energy"), output.Energy, 1e-5, $"{name}: down_proj energy");
    }

    [Theory, MemberData(nameof(Cases))]
    public void MergedAdapterGivesPeftsMergedLogits(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Base(name);
        using var loaded = PeftAdapter.Read(Path.Combine(Fixtures, name), model);
        loaded.ApplyModulesToSave(model);
        LoraMerge.Into(model, loaded.Adapter);
        var output = Forward(model, adapter: null);
        AssertClose(Reference.GetProperty("cases").GetProperty(name).GetProperty("merged"), output.Head, 1e-5, $"{name}: merged logits");
    }

    [Fact]
    public void AnExportedAdapterIsWhatPeftsRulesRead()
    {
        // Our adapter, trained a little (B ≠ 0), written as PEFT files; the script's reader and forward must agree.
        using var scope = NewDisposeScope();
        using var model = Base("llama-qv-r4");
        using var adapter = new LoraAdapter(new LoraConfig(3, 5, LoraTargets.Of(["k_proj", "down_proj"])), model, seed: 4);
        using (no_grad())
            foreach (var (key, value) in adapter.state_dict().Where(kv => kv.Key.EndsWith("lora_B.weight")))
                value.copy_(randn(value.shape, generator: new Generator(9)) * 0.2);
        var ours = Forward(model, adapter).Head;
        var dir = Path.Combine(Path.GetTempPath(), $"eppo-peft-export-{Guid.NewGuid():N}");
        try
        {
            PeftAdapter.Write(dir, adapter, model, "llama-gqa-f32");
            var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, PeftConfig.FileName))).RootElement;
            var keys = config.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
            Assert.Equal("LORA", config.GetProperty("peft_type").GetString());
            var python = PyTorchOracle.Run("""
                import importlib.util, os
                spec = importlib.util.spec_from_file_location("peft_fixture", inp["script"])
                m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
                torch.set_default_dtype(torch.float32)
                cfg = json.load(open(os.path.join(inp["dir"], "adapter_config.json")))
                tensors = m.read_safetensors(os.path.join(inp["dir"], "adapter_model.safetensors"))
                scaling = cfg["lora_alpha"] / cfg["r"]
                layers = {}
                for key in tensors:
                    assert key.startswith("base_model.model.") and key.endswith((".lora_A.weight", ".lora_B.weight")), key
                    path = key[len("base_model.model."):].rsplit(".lora_", 1)[0]
                    layers[path] = (tensors[f"base_model.model.{path}.lora_A.weight"], tensors[f"base_model.model.{path}.lora_B.weight"])
                assert all(any(p.endswith("." + t) for t in cfg["target_modules"]) for p in layers), cfg["target_modules"]
                w = m.read_safetensors(os.path.join(inp["base"], "model.safetensors"))
                base_cfg = json.load(open(os.path.join(inp["base"], "config.json")))
                with torch.no_grad():
                    logits, _ = m.llama_forward(w, base_cfg, torch.tensor(m.TOKENS), m.Lora(layers, scaling))
                out["logits"] = logits
                out["layers"] = len(layers)
                """, new { script = Path.Combine(Fixtures, "make_adapters.py"), dir, @base = Path.Combine(Bases, "llama-gqa-f32") });
            Assert.Equal(4, python["layers"]!.GetValue<int>());  // k_proj and down_proj of two layers
            AssertClose(JsonDocument.Parse(python["logits"]!.ToJsonString()).RootElement, ours, 1e-5, "exported adapter");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("use_dora", "true", "DoRA is not supported")]
    [InlineData("rank_pattern", "{\"q_proj\": 8}", "per-module ranks are not supported")]
    [InlineData("alpha_pattern", "{\"q_proj\": 8}", "per-module alphas are not supported")]
    [InlineData("lora_bias", "true", "LoRA biases are not supported")]
    [InlineData("target_parameters", "[\"experts.w1\"]", "adapting parameters (not modules) is not supported")]
    [InlineData("bias", "\"all\"", "'all' trains biases")]
    [InlineData("peft_type", "\"IA3\"", "'IA3' is not supported")]
    public void UnsupportedOptionsAreRefusedByName(string field, string value, string message)
    {
        var dir = CopyFixture("llama-qv-r4");
        try
        {
            var path = Path.Combine(dir, PeftConfig.FileName);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            json[field] = System.Text.Json.Nodes.JsonNode.Parse(value);
            File.WriteAllText(path, json.ToJsonString());
            using var model = Base("llama-qv-r4");
            var e = Assert.Throws<EppoException>(() => PeftAdapter.Read(dir, model));
            Assert.Contains($"field '{field}'", e.Message);
            Assert.Contains(message, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AnAdapterForAnotherShapeNamesTheTensor()
    {
        // The GPT-2 fixture's adapter onto the Llama base: no target matches; a Llama adapter onto a wider model: shapes differ.
        using var llama = Base("llama-qv-r4");
        var noMatch = Assert.Throws<EppoException>(() => PeftAdapter.Read(Path.Combine(Fixtures, "gpt2-conv1d"), llama));
        Assert.Contains("match no module", noMatch.Message);
        Assert.Contains("q_proj", noMatch.Message);  // the module names there are

        using var wider = new DecoderModel(HuggingFaceConfig.Read(Path.Combine(Bases, "llama-gqa-f32", "config.json")).Config with { HiddenSize = 48, Heads = 4, KvHeads = 2 });
        var shape = Assert.Throws<EppoException>(() => PeftAdapter.Read(Path.Combine(Fixtures, "llama-qv-r4"), wider));
        Assert.Contains("tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' has shape [4, 32]", shape.Message);
    }

    [Fact]
    public void AMissingTensorIsNamed()
    {
        var dir = CopyFixture("llama-qv-r4");
        try
        {
            var file = Path.Combine(dir, PeftAdapter.WeightsFile);
            var stored = SafetensorsFile.Open(file);
            var kept = stored.Entries.Keys.Where(k => !k.Contains("layers.1.self_attn.v_proj.lora_B")).Select(k => (k, stored.Read(k))).ToList();
            using (var stream = File.Create(file)) SafetensorsWriter.Plan(kept).WriteTo(stream);
            using var model = Base("llama-qv-r4");
            var e = Assert.Throws<EppoException>(() => PeftAdapter.Read(dir, model));
            Assert.Contains("tensor 'base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight' is missing", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static DecoderModel Base(string adapterCase)
    {
        var baseName = Reference.GetProperty("cases").GetProperty(adapterCase).GetProperty("base").GetString()!;
        var model = HuggingFaceCheckpoint.Load(Path.Combine(Bases, baseName), EnergySite.DownProj);
        model.eval();
        return model;
    }

    internal static DecoderOutput Forward(DecoderModel model, LoraAdapter? adapter)
    {
        var tokens = Reference.GetProperty("tokens").EnumerateArray().Select(r => r.EnumerateArray().Select(t => t.GetInt64()).ToArray()).ToArray();
        var ids = tensor(tokens.SelectMany(t => t).ToArray(), [tokens.Length, tokens[0].Length]);
        var mask = ones(tokens.Length, tokens[0].Length, ScalarType.Int64);
        using var noGrad = no_grad();
        return model.Forward(ids, Positions.FromMask(mask), mask, adapter: adapter);
    }

    internal static string CopyFixture(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"eppo-peft-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures, name))) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        return dir;
    }

    internal static void AssertClose(JsonElement expected, Tensor actual, double tolerance, string what)
    {
        var want = Flatten(expected).ToArray();
        var got = actual.contiguous().cpu().data<float>().ToArray();
        Assert.Equal(want.Length, got.Length);
        var worst = want.Zip(got).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst < tolerance, $"{what} differ by up to {worst:E2}");
    }

    static IEnumerable<double> Flatten(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().SelectMany(Flatten) : [e.GetDouble()];
}
