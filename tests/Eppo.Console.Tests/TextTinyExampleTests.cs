using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Eppo.Tests;

namespace Eppo.Console.Tests;

/// <summary>
/// deploy/examples/text-tiny.json from nothing, on a real silo: a tiny random GPT-2-layout model with GPT-2's real
/// tokenizer (`eppo model create`), the HH-format sample shipped beside the spec, SFT → reward model → EPPO for a few
/// iterations through the grains, the final checkpoint exported in Hugging Face layout, and text generated from it.
/// </summary>
[Collection(TextSiloCollection.Name)]
public sealed class TextTinyExampleTests(TextSiloFixture silo, TextTinyPolicy created) : IClassFixture<TextTinyPolicy>, IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("eppo-text-tiny-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>
    /// The example's spec pointed at the created policy and the shipped data, with a shorter SFT and reward model and
    /// two iterations (the tests check plumbing, not quality; every test trains the same SFT and reward model, so the
    /// silo prepares them once) and <paramref name="change"/> applied.
    /// </summary>
    (string Policy, string SpecPath) Example(string example = "text-tiny", Action<JsonObject>? change = null)
    {
        var policy = created.Path;
        var spec = JsonNode.Parse(File.ReadAllText(RepoRoot.Path($"deploy/examples/{example}.json")))!.AsObject();
        spec["sft"]!["steps"] = 4;
        spec["reward"]!["epochs"] = 1;
        spec["reward"]!["pairs"] = 256;
        spec["iterations"] = 2;
        change?.Invoke(spec);
        spec["text"]!["policy"] = policy;
        spec["text"]!["data"] = RepoRoot.Path("deploy/examples/text-tiny/hh-sample.jsonl");
        var specPath = Path.Combine(dir, $"{example}.json");
        File.WriteAllText(specPath, spec.ToJsonString());
        return (policy, specPath);
    }

    [Fact]
    public async Task The_text_tiny_example_trains_exports_and_generates()
    {
        var (policy, specPath) = Example();

        var clock = Stopwatch.StartNew();
        var started = await silo.EppoAsync("run", "start", "--config", specPath);
        Assert.True(started.ExitCode == 0, started.ToString());
        var runId = started.Stdout.Trim();
        var status = await silo.WaitForStateAsync(runId, "Completed", TimeSpan.FromMinutes(8));
        Assert.Equal(2, status.GetProperty("iteration").GetInt32());
        // The reward model was scored on pairs of prompts no training saw.
        var accuracy = status.GetProperty("reward_held_out_accuracies")[0].GetDouble();
        Assert.InRange(accuracy, 0, 1);
        var latest = status.GetProperty("latest");
        Assert.True(double.IsFinite(latest.GetProperty("energy_rl").GetDouble()) && double.IsFinite(latest.GetProperty("energy_sft").GetDouble()), latest.ToString());

        var exported = Path.Combine(dir, "exported");
        var checkpoint = status.GetProperty("last_checkpoint").GetString()!;
        CliAssert.Succeeded(await EppoCli.RunAsync("model", "export", checkpoint, "--out", exported, "--tokenizer", policy));
        var generated = await EppoCli.RunAsync("model", "generate", exported, "--prompt", "What is the capital of France?", "--template", "hh",
            "--greedy", "--max-new-tokens", "8", "--json");
        CliAssert.Succeeded(generated);
        var output = JsonDocument.Parse(generated.Stdout).RootElement;
        Assert.Equal("\n\nHuman: What is the capital of France?\n\nAssistant:", output.GetProperty("prompt_text").GetString());
        Assert.InRange(output.GetProperty("response_ids").GetArrayLength(), 1, 8);
        Assert.NotNull(output.GetProperty("response").GetString());

        // Judged against the SFT model on the held-out prompts: by a judge RM trained on the judge split, then by a chat judge.
        string[] eval = ["eval", "--config", specPath, "--policy", checkpoint, "--baseline", status.GetProperty("sft_path").GetString()!, "--prompts", "8", "--json"];
        var byModel = await EppoCli.RunAsync([.. eval, "--judge", "reward-model", "--judge-rm", Path.Combine(dir, "judge")]);
        CliAssert.Succeeded(byModel);
        var judged = JsonDocument.Parse(byModel.Stdout).RootElement;
        var prompts = judged.GetProperty("prompts").GetInt32();
        Assert.True(prompts > 0);
        Assert.Equal(prompts, judged.GetProperty("win").GetInt32() + judged.GetProperty("tie").GetInt32() + judged.GetProperty("lose").GetInt32());
        Assert.True(File.Exists(Path.Combine(dir, "judge", "manifest.json")));  // saved, and loaded by the next eval
        using var chat = new FakeChatCompletions { Answer = (_, _) => (200, "Both are noise.\n[[C]]") };
        var byChat = await EppoCli.RunAsync([.. eval, "--judge", "chat", "--judge-url", chat.BaseUrl, "--judge-model", "fake-judge"],
            new Dictionary<string, string> { ["EPPO_JUDGE_API_KEY"] = "sk-never-printed" });
        CliAssert.Succeeded(byChat);
        var chatJudged = JsonDocument.Parse(byChat.Stdout).RootElement;
        Assert.Equal((prompts, prompts, "chat:fake-judge"), (chatJudged.GetProperty("tie").GetInt32(), chatJudged.GetProperty("prompts").GetInt32(), chatJudged.GetProperty("judge").GetString()));
        Assert.Equal(2 * prompts, chat.Requests.Count);                       // each pair asked in both orders
        Assert.All(chat.Requests, r => Assert.Equal("Bearer sk-never-printed", r.Authorization));
        Assert.DoesNotContain("sk-never-printed", byChat.Stdout + byChat.Stderr);
        System.Console.Error.WriteLine($"text-tiny: run {runId} completed, exported, generated and judged in {clock.Elapsed.TotalSeconds:F0} s");
    }

    [Fact]
    public async Task The_text_study_writes_the_papers_tables()
    {
        // The tables' plumbing: a checkpoint each iteration.
        var (_, specPath) = Example(change: spec => spec["checkpoint_interval"] = 1);
        var outDir = Path.Combine(dir, "study");

        var result = await EppoCli.RunAsync(["study", "--config", specPath, "--methods", "ppo,eppo", "--prompts", "6", "--out", outDir],
            timeout: TimeSpan.FromMinutes(5));   // a whole study: SFT, reward models and two runs
        CliAssert.Succeeded(result);
        var markdown = File.ReadAllText(Path.Combine(outDir, "study.md"));
        foreach (var section in new[] { "## Table 1: EPPO against each", "| SFT |", "| ppo |", "## Figure 5", "## Observation 1", "## Observation 2" })
            Assert.Contains(section, markdown);
        Assert.True(File.Exists(Path.Combine(outDir, "win_rate_vs_sft.png")) && File.Exists(Path.Combine(outDir, "energy_loss.png")));
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "study.json"))).RootElement;
        var runs = report.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["ppo", "eppo"], runs.Select(r => r.GetProperty("method").GetString()));
        foreach (var run in runs)
        {
            var vs = run.GetProperty("vs_sft");
            var judged = vs.GetProperty("win").GetInt32() + vs.GetProperty("tie").GetInt32() + vs.GetProperty("lose").GetInt32() + vs.GetProperty("no_verdict").GetInt32();
            Assert.Equal(vs.GetProperty("prompts").GetInt32(), judged);
            Assert.Equal(2, run.GetProperty("energy").GetArrayLength());              // every iteration, from the first
            Assert.True(run.GetProperty("win_rate").GetArrayLength() >= 1);          // one point per checkpoint
        }
        Assert.Equal(JsonValueKind.Null, runs[1].GetProperty("vs_eppo").ValueKind); // EPPO is not judged against itself
        Assert.NotEqual(JsonValueKind.Null, runs[0].GetProperty("vs_eppo").ValueKind);
        Assert.Equal(2 * runs[0].GetProperty("vs_sft").GetProperty("prompts").GetInt32(), report.GetProperty("answers").GetArrayLength());
    }

    [Fact]
    public async Task The_text_tiny_lora_example_trains_adapters_through_the_grains_and_exports_them()
    {
        var (policy, specPath) = Example("text-tiny-lora");
        var started = await silo.EppoAsync("run", "start", "--config", specPath);
        Assert.True(started.ExitCode == 0, started.ToString());
        var status = await silo.WaitForStateAsync(started.Stdout.Trim(), "Completed", TimeSpan.FromMinutes(8));
        Assert.Equal(2, status.GetProperty("iteration").GetInt32());
        var first = status.GetProperty("history")[0];
        Assert.Equal(0.0, first.GetProperty("kl").GetDouble());                        // B = 0: iteration 0 is the SFT policy itself
        Assert.NotEqual(0.0, status.GetProperty("latest").GetProperty("kl").GetDouble());

        // A checkpoint holds the adapter, not the model: a fraction of the SFT weights.
        var checkpoint = status.GetProperty("last_checkpoint").GetString()!;
        var sft = status.GetProperty("sft_path").GetString()!;
        var adapterBytes = new FileInfo(Path.Combine(checkpoint, "actor", "model.safetensors")).Length;
        Assert.True(adapterBytes * 5 < new FileInfo(Path.Combine(sft, "model.safetensors")).Length, $"adapter checkpoint {adapterBytes} B");

        CliAssert.OneLineError(await EppoCli.RunAsync("model", "export", checkpoint, "--out", Path.Combine(dir, "neither")), CliAssert.UserError,
            "--adapter-only", "--merge");
        var merged = Path.Combine(dir, "merged");
        var peft = Path.Combine(dir, "peft");
        var baseHf = Path.Combine(dir, "base");
        CliAssert.Succeeded(await EppoCli.RunAsync("model", "export", checkpoint, "--out", merged, "--merge", "--tokenizer", policy));
        CliAssert.Succeeded(await EppoCli.RunAsync("model", "export", checkpoint, "--out", peft, "--adapter-only"));
        CliAssert.Succeeded(await EppoCli.RunAsync("model", "export", sft, "--out", baseHf, "--tokenizer", policy));
        Assert.True(File.Exists(Path.Combine(peft, "adapter_config.json")) && File.Exists(Path.Combine(peft, "adapter_model.safetensors")));

        // The base with the PEFT adapter is the merged checkpoint is the run's policy.
        var unmergedLogits = await EppoCli.RunAsync("model", "logits", baseHf, "--tokens", "464,3139,286,4881,318", "--adapter", peft, "--json");
        var mergedLogits = await EppoCli.RunAsync("model", "logits", merged, "--tokens", "464,3139,286,4881,318", "--json");
        CliAssert.Succeeded(unmergedLogits);
        var a = JsonDocument.Parse(unmergedLogits.Stdout).RootElement.GetProperty("logits");
        var b = JsonDocument.Parse(mergedLogits.Stdout).RootElement.GetProperty("logits");
        var worst = 0.0;
        for (var t = 0; t < 5; t++)
            worst = Math.Max(worst, a[t].EnumerateArray().Zip(b[t].EnumerateArray()).Max(p => Math.Abs(p.First.GetDouble() - p.Second.GetDouble())));
        Assert.True(worst < 1e-4, $"merged and unmerged logits differ by {worst}");
        CliAssert.Succeeded(await EppoCli.RunAsync("model", "generate", baseHf, "--adapter", peft, "--prompt", "What is the capital of France?",
            "--template", "hh", "--greedy", "--max-new-tokens", "8"));
    }
}
