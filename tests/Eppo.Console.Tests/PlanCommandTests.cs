using System.Text.Json;
using Eppo.Tests;

namespace Eppo.Console.Tests;

/// <summary>`eppo plan` from the command line: the shipped Llama-3-8B plans, and bad options as one line naming the option.</summary>
public sealed class PlanCommandTests
{
    static readonly string Lora = RepoRoot.Path("deploy", "examples", "plan", "llama3-8b-lora.json");
    static readonly string Full = RepoRoot.Path("deploy", "examples", "plan", "llama3-8b-full.json");

    static async Task<JsonElement> PlanAsync(params string[] args)
    {
        var result = await EppoCli.RunAsync(["plan", .. args, "--json"]);
        CliAssert.Succeeded(result);
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    [Fact]
    public async Task Llama3LoraFitsOneH200AndFullFineTuningDoesNot()
    {
        var lora = await PlanAsync(Lora, "--shape", "llama3-8b", "--device-memory", "141GiB");
        Assert.True(lora.GetProperty("placement").GetProperty("fits").GetBoolean(), lora.GetProperty("placement").GetProperty("summary").GetString());
        Assert.Equal(8_030_261_248L, lora.GetProperty("parameters").GetProperty("policy").GetInt64());
        var wire = lora.GetProperty("wire");
        Assert.True(wire.GetProperty("adapter").GetInt64() < wire.GetProperty("whole_policy").GetInt64() / 100);

        var full = await PlanAsync(Full, "--shape", "llama3-8b", "--gpu-memory", "141GiB", "--devices", "8");
        var placement = full.GetProperty("placement");
        Assert.False(placement.GetProperty("fits").GetBoolean());
        Assert.Equal(0, placement.GetProperty("largest").GetProperty("device").GetInt32());   // the learner's device
        Assert.Equal(8, placement.GetProperty("loads").GetArrayLength());
    }

    [Fact]
    public async Task TheTablesNameEveryGrainKindTheWireAndThePlacement()
    {
        var result = await EppoCli.RunAsync("plan", Lora, "--shape", "gpt2", "--devices", "2");
        CliAssert.Succeeded(result);
        foreach (var text in new[] { "learner", "generator", "scorer", "energy reference", "KV cache", "fp32", "bf16", "shared", "adapter only", "experience to the learner", "placement on 2", "fits on 2" })
            Assert.Contains(text, result.Stdout);
    }

    [Fact]
    public async Task ARunThatDoesNotFitSaysWhereInOneLine()
    {
        var plan = await PlanAsync(Full, "--shape", "llama3-8b", "--device-memory", "80GB");
        var summary = plan.GetProperty("placement").GetProperty("summary").GetString()!;
        Assert.StartsWith("does not fit on 1 × 74.5 GiB: device 0 (learner, generator ×4, scorer ×2, energy reference) needs ", summary);
        Assert.DoesNotContain('\n', summary);
        var table = await EppoCli.RunAsync("plan", Full, "--shape", "llama3-8b", "--device-memory", "80GB");
        CliAssert.Succeeded(table);
        Assert.Contains("does not fit on 1", table.Stdout);
    }

    /// <summary>A text spec whose policy is here plans that model; one whose policy is elsewhere asks for --shape or --model.</summary>
    [Fact]
    public async Task TheModelComesFromTheSpecsPolicyWhenItIsHere()
    {
        var dir = Directory.CreateTempSubdirectory("eppo-plan-cli-");
        try
        {
            var created = await EppoCli.RunAsync("model", "create", "--shape", "tiny-gpt2", "--out", Path.Combine(dir.FullName, "policy"));
            CliAssert.Succeeded(created);
            var spec = Path.Combine(dir.FullName, "run.json");
            File.WriteAllText(spec, $$"""{ "task": "text", "text": { "policy": "{{Path.Combine(dir.FullName, "policy")}}", "data": "/elsewhere/data.jsonl" }, "batch_size": 8, "mini_batch_size": 4, "generators": 2 }""");
            var plan = await PlanAsync(spec);
            Assert.Equal(64, plan.GetProperty("config").GetProperty("hidden_size").GetInt32());
            Assert.Equal(8, plan.GetProperty("run").GetProperty("batch_size").GetInt32());

            File.WriteAllText(spec, """{ "task": "text", "text": { "policy": "/elsewhere/policy", "data": "/elsewhere/data.jsonl" } }""");
            CliAssert.OneLineError(await EppoCli.RunAsync("plan", spec), CliAssert.UserError, "text.policy", "--shape or --model");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task BadInputIsOneLineNamingTheOptionOrTheField()
    {
        CliAssert.OneLineError(await EppoCli.RunAsync("plan", "--shape", "llama4"), CliAssert.UserError, "--shape", "llama4");
        CliAssert.OneLineError(await EppoCli.RunAsync("plan", "--shape", "gpt2", "--model", "/tmp"), CliAssert.UserError, "--model and --shape");
        CliAssert.OneLineError(await EppoCli.RunAsync("plan"), CliAssert.UserError, "--model or --shape");
        CliAssert.OneLineError(await EppoCli.RunAsync("plan", "--shape", "gpt2", "--device-memory", "12XB"), CliAssert.UserError, "--device-memory", "12XB");
        CliAssert.OneLineError(await EppoCli.RunAsync("plan", "--shape", "gpt2", "--devices", "0"), CliAssert.UserError, "--devices");
        CliAssert.OneLineError(await EppoCli.RunAsync("plan", "--model", "/nowhere/at/all"), CliAssert.UserError, "--model");
        CliAssert.OneLineError(await EppoCli.RunAsync("plan", "/nowhere.json", "--shape", "gpt2"), CliAssert.UserError, "/nowhere.json");
        var dir = Directory.CreateTempSubdirectory("eppo-plan-cli-");
        try
        {
            var spec = Path.Combine(dir.FullName, "bad.json");
            File.WriteAllText(spec, """{ "batch_size": 64, "mini_batch_size": 7 }""");
            CliAssert.OneLineError(await EppoCli.RunAsync("plan", spec, "--shape", "gpt2"), CliAssert.UserError, spec, "mini_batch_size");
            File.WriteAllText(spec, """{ "max_new_tokens": 1000, "text": { "max_prompt_tokens": 100 }, "task": "text" }""");
            CliAssert.OneLineError(await EppoCli.RunAsync("plan", spec, "--shape", "gpt2"), CliAssert.UserError, "1100", "1024 positions");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
