using System.Text.Json;
using Eppo.Tests;

namespace Eppo.Console.Tests;

/// <summary>`eppo model inspect` and `eppo model logits` on the committed Hugging Face fixtures (tests/Eppo.Core.Tests/Fixtures/HuggingFace).</summary>
public sealed class ModelCommandTests
{
    static string Fixture(string name) => RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "HuggingFace", name);

    [Fact]
    public async Task Inspect_json_names_the_architecture_sizes_and_storage()
    {
        var result = await EppoCli.RunAsync("model", "inspect", Fixture("llama-tied-bf16-sharded"), "--json");
        CliAssert.Succeeded(result);
        var info = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("LlamaForCausalLM", info.GetProperty("architecture").GetString());
        Assert.Equal(2, info.GetProperty("kv_heads").GetInt32());
        Assert.True(info.GetProperty("tie_embeddings").GetBoolean());
        // By hand: embeddings 64·32 + 2 layers × (q 32·32 + k, v 16·32 each + o 32·32 + 3 × 48·32 + 2 norms of 32) + final norm 32.
        Assert.Equal(64 * 32 + 2 * (32 * 32 + 2 * 16 * 32 + 32 * 32 + 3 * 48 * 32 + 2 * 32) + 32, info.GetProperty("parameters").GetInt64());
        Assert.Equal(["BF16"], info.GetProperty("dtypes").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(2, info.GetProperty("files").GetArrayLength());
    }

    [Fact]
    public async Task Logits_json_match_the_reference_forward_on_a_prefix()
    {
        var reference = JsonDocument.Parse(File.ReadAllText(Fixture("reference.json"))).RootElement.GetProperty("cases").GetProperty("gpt2-tied-f32");
        var result = await EppoCli.RunAsync("model", "logits", Fixture("gpt2-tied-f32"), "--tokens", "1,5,9", "--json");
        CliAssert.Succeeded(result);
        var output = JsonDocument.Parse(result.Stdout).RootElement;
        // Causal attention: the first three positions of the reference's sequence (1, 5, 9, …) see the same tokens.
        for (var t = 0; t < 3; t++)
        {
            var ours = output.GetProperty("logits")[t].EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var theirs = reference.GetProperty("logits")[0][t].EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.True(ours.Zip(theirs).All(p => Math.Abs(p.First - p.Second) < 1e-4), $"logits at {t}");
            foreach (var site in new[] { "block", "mlp", "down_proj", "mlp_linears" })
                Assert.Equal(reference.GetProperty("energy").GetProperty(site)[0][t].GetDouble(), output.GetProperty("energy").GetProperty(site)[t].GetDouble(), 4);
        }
    }

    [Fact]
    public async Task Export_writes_a_checkpoint_that_inspect_and_logits_read()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "eppo-export-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var export = await EppoCli.RunAsync("model", "export", Fixture("qwen2-tied-f32"), "--out", outDir);
            CliAssert.Succeeded(export);
            Assert.Contains("Qwen2ForCausalLM", export.Stdout);
            var info = JsonDocument.Parse((await EppoCli.RunAsync("model", "inspect", outDir, "--json")).Stdout).RootElement;
            Assert.Equal("Qwen2ForCausalLM", info.GetProperty("architecture").GetString());
            Assert.Equal(["F32"], info.GetProperty("dtypes").EnumerateArray().Select(d => d.GetString()));
            var a = JsonDocument.Parse((await EppoCli.RunAsync("model", "logits", Fixture("qwen2-tied-f32"), "--tokens", "3,1,4", "--json")).Stdout).RootElement;
            var b = JsonDocument.Parse((await EppoCli.RunAsync("model", "logits", outDir, "--tokens", "3,1,4", "--json")).Stdout).RootElement;
            Assert.Equal(a.GetProperty("logits").GetRawText(), b.GetProperty("logits").GetRawText());
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public async Task Bad_model_input_is_one_line()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync("model", "inspect", "/no/such/model"), CliAssert.UserError, "/no/such/model");
        CliAssert.OneLineError(await EppoCli.RunAsync("model", "logits", Fixture("gpt2-tied-f32"), "--tokens", "1,500"), CliAssert.UserError, "500", "vocabulary");
        CliAssert.OneLineError(await EppoCli.RunAsync("model", "logits", Fixture("gpt2-tied-f32"), "--tokens", "1,x"), CliAssert.UserError, "'x'");
        CliAssert.OneLineError(await EppoCli.RunAsync("model", "inspect", RepoRoot.Path("deploy")), CliAssert.UserError, "config.json");
        CliAssert.OneLineError(await EppoCli.RunAsync("model", "export", Fixture("gpt2-tied-f32")), CliAssert.UserError, "--out");
    }
}
