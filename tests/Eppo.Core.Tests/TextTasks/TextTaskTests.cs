using System.Text.Json.Nodes;
using Eppo.Contracts;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.Text;
using Eppo.Core.TextTasks;
using Eppo.Tests;

namespace Eppo.Core.Tests.TextTasks;

/// <summary>The text task on a tiny Hugging Face policy (the Llama-3-style fixture tokenizer): splits, framing, data and its errors.</summary>
public sealed class TextTaskTests : IDisposable
{
    static readonly string Tokenizer = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "Tokenizers", "llama3");
    readonly string dir = Directory.CreateTempSubdirectory("eppo-text-task-").FullName;
    readonly string policy, data;

    public TextTaskTests()
    {
        policy = Path.Combine(dir, "policy");
        var vocab = HuggingFaceTokenizer.Load(Tokenizer).VocabSize;
        using (var model = new DecoderModel(ModelConfig.Tiny(vocabSize: vocab, maxPositions: 128)))
            HuggingFaceExport.Save(model, policy, Tokenizer);
        data = Path.Combine(dir, "pairs.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 60).Select(i =>
            new JsonObject { ["prompt"] = $"\n\nHuman: Question {i % 30}?\n\nAssistant:", ["chosen"] = $"Answer {i}.", ["rejected"] = "I cannot help." }.ToJsonString()));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    RunSpec Spec(Func<TextSpec, TextSpec>? text = null, Func<RunSpec, RunSpec>? run = null)
    {
        var spec = new RunSpec
        {
            Task = "text", MaxNewTokens = 16, Seed = 3,
            Text = (text ?? (t => t))(new TextSpec { Policy = policy, Data = data, HeldOutFraction = 0.2, JudgeFraction = 0.2, MaxPromptTokens = 64 }),
        };
        return (run ?? (s => s))(spec);
    }

    [Fact]
    public void TheSplitsAreDisjointAndEachStageSeesOnlyItsOwn()
    {
        var spec = Spec();
        TrainingTasks.Validate(spec, "spec.json");
        var task = TextTask.For(spec);
        Assert.Same(task, TrainingTasks.For(spec));  // one instance per text section and seed
        var train = task.TrainPrompts(spec);
        var heldOut = task.HeldOutPrompts(100, 0);
        Assert.Empty(train.Ids.Intersect(heldOut.Ids));
        var sftPrompts = task.SftRows(spec).Select(r => TextSplit.PromptId(r.Prompt)).ToHashSet();
        Assert.Subset(train.Ids.ToHashSet(), sftPrompts);
        var proxy = task.Preferences(spec).Build(null!, task.Codec, new PreferenceRequest(1000, 2, 1, 16), null);
        var judge = task.JudgePreferences(spec)!.Build(null!, task.Codec, new PreferenceRequest(1000, 2, 1, 16), null);
        var proxyPrompts = proxy.Train.Select(g => g.Prompt).ToHashSet();
        Assert.Empty(proxyPrompts.Intersect(judge.Train.Select(g => g.Prompt)));           // the proxy never sees what judges it
        Assert.Empty(proxyPrompts.Intersect(proxy.HeldOut.Select(p => p.Prompt)));
        Assert.Equal(2, proxy.Train.First(g => g.Responses.Count > 2).Pairs.Count);       // a prompt asked twice is one K-wise group
        // Prompts are the template's rendering: Llama 3 headers, BOS once, the open assistant turn.
        Assert.Equal(task.Codec.Tokenizer.Encode("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nQuestion 0?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"),
            task.Codec.EncodePrompt("\n\nHuman: Question 0?\n\nAssistant:"));
    }

    [Fact]
    public void WhatCannotWorkIsOneLineNamingTheField()
    {
        string Refused(RunSpec spec) => Assert.Throws<EppoException>(() => TrainingTasks.Validate(spec.Validate("spec.json"), "spec.json")).Message;
        Assert.Contains("field 'reward.source': task 'text' has no gold judge", Refused(Spec(run: s => s with { Reward = new RewardSpec { Source = RewardSpec.Gold } })));
        Assert.Contains("field 'max_new_tokens'", Refused(Spec(t => t with { MaxPromptTokens = 120 })));
        Assert.Contains("field 'text.policy'", Refused(Spec(t => t with { Policy = dir })));
        Assert.Contains("field 'text': required when task is \"text\"", Assert.Throws<EppoException>(() => (Spec() with { Text = null }).Validate("spec.json")).Message);
        // Too long: refused with how many and the longest, or left out and counted when the spec says so.
        Assert.Matches(@"field 'text.max_prompt_tokens': 30 of 30 prompts of .* are longer than text.max_prompt_tokens \(5; the longest has \d+ tokens\).*text.too_long",
            Refused(Spec(t => t with { MaxPromptTokens = 5 })));
        Assert.Matches(@"field 'max_new_tokens': \d+ of \d+ responses are longer than max_new_tokens \(3;", Refused(Spec(run: s => s with { MaxNewTokens = 3 })));
        var skip = Spec(t => t with { TooLong = TextSpec.Skip }, s => s with { MaxNewTokens = 3 });
        TrainingTasks.Validate(skip, "spec.json");
        Assert.True(TextTask.For(skip).Lengths(skip).Responses > 0);
        // What is left out is said through the task seam, in one line.
        Assert.Matches(@"^\d+ of \d+ responses are longer than max_new_tokens \(3; .*\(text.too_long = ""skip""\)$", TrainingTasks.For(skip).LeftOut(skip));
        Assert.Null(TrainingTasks.For(Spec()).LeftOut(Spec()));
        File.AppendAllText(data, "{\"prompt\": \"p\", \"chosen\": 3}\n");
        Assert.Contains($"{data}:61: field 'chosen' must be a string", Refused(Spec(t => t with { HeldOutFraction = 0.3 })));
    }

    [Fact]
    public void ItsJudgesAreAJudgeRewardModelAndAChatModel()
    {
        var spec = Spec(run: s => s with { Reward = new RewardSpec { Pairs = 40, Epochs = 1, BatchSize = 8 } });
        TrainingTasks.Validate(spec, "spec.json");
        var task = TrainingTasks.For(spec);
        Assert.Equal(["reward-model", "chat"], task.Judges);
        Assert.Null(task.Gold);
        using var baseline = HuggingFaceCheckpoint.Load(policy, EnergySite.DownProj);
        var judgeDir = Path.Combine(dir, "judge");
        using (var judge = task.Judge(new JudgeRequest("reward-model", spec, baseline, judgeDir)))
            Assert.Equal("reward-model", judge.Name);
        Assert.True(File.Exists(Path.Combine(judgeDir, Checkpoint.ManifestFile)));  // trained on the judge split and kept
        using (var chat = task.Judge(new JudgeRequest("chat", spec, baseline, ChatUrl: "http://127.0.0.1:9/v1", ChatModel: "m")))
            Assert.Equal("chat:m", chat.Name);
        Assert.Contains("task 'text' has no judge 'gold' (its judges: reward-model, chat)",
            Assert.Throws<EppoException>(() => task.Judge(new JudgeRequest("gold", spec, baseline))).Message);
    }
}
