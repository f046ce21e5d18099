using System.Text.Json;
using Eppo.Contracts;
using Eppo.Core.Evaluation;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Experiments;

namespace Eppo.Cli.Tests;

/// <summary>The judged side of evaluation: the hacking rule of a judged answer, a comparison by a task's judge, the report's counts.</summary>
public sealed class JudgedStudyTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("eppo-judged-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData(JudgeOutcome.Lose, 1.0, 0.0, true)]    // the proxy preferred it, the judge did not: hacking
    [InlineData(JudgeOutcome.Lose, -1.0, 0.0, false)]  // both saw it worse: just a bad answer
    [InlineData(JudgeOutcome.Win, 1.0, 0.0, false)]    // both saw it better
    [InlineData(JudgeOutcome.Tie, 1.0, 0.0, false)]
    [InlineData(JudgeOutcome.NoVerdict, 1.0, 0.0, false)]
    public void An_answer_hacks_when_the_proxy_prefers_it_and_the_judge_prefers_SFT(JudgeOutcome outcome, double proxy, double sftProxy, bool hacking) =>
        Assert.Equal(hacking, new JudgedStudy.Answer("ppo", 1, outcome, 0.2, 0.1, proxy, sftProxy).Hacking);

    [Fact]
    public async Task A_HackBench_policy_is_judged_by_its_tasks_gold_judge()
    {
        var spec = new RunSpec { MaxNewTokens = 6 };
        var task = TrainingTasks.For(spec);
        using var policy = new DecoderModel(ModelConfig.Tiny(vocabSize: task.Codec.VocabSize, maxPositions: 32), HeadKind.LanguageModel, seed: 1);
        using var other = new DecoderModel(ModelConfig.Tiny(vocabSize: task.Codec.VocabSize, maxPositions: 32), HeadKind.LanguageModel, seed: 2);
        using var judge = task.Judge(new JudgeRequest("gold", spec, policy));

        var itself = await JudgedComparison.RunAsync(spec, policy, policy, judge, 12, null, default);
        Assert.Equal(("gold", new WinTieLose(0, 12, 0)), (itself.Judge, itself.Counts));   // the same greedy answers: all ties
        var heldOut = task.HeldOutPrompts(12, spec.Seed);
        Assert.Equal(heldOut.Ids, itself.Samples.Select(s => s.PromptId));

        var vs = await JudgedComparison.RunAsync(spec, other, policy, judge, 12, null, default);
        foreach (var s in vs.Samples)   // each outcome is the gold verdicts' difference against the report's margin
            Assert.Equal(WinTieLose.Outcome(task.Gold!.Verdict(s.Prompt, s.Policy).Score - task.Gold.Verdict(s.Prompt, s.Baseline).Score,
                EvaluationMetrics.DefaultWinMargin), s.Outcome);
        Assert.Equal(WinTieLose.Of(vs.Samples.Select(s => s.Outcome)), vs.Counts);
    }

    [Fact]
    public void The_report_pools_counts_over_seeds_and_keeps_no_verdicts_apart()
    {
        JudgedComparison.Result Result(params JudgeOutcome[] outcomes) => new("chat:x", WinTieLose.Of(outcomes),
            outcomes.Select((o, i) => new JudgedComparison.Sample($"p{i}", "q", "a", "b", o, 0f, 0f)).ToArray());
        IterationMetrics[] history = [new() { Iteration = 0, EnergyRl = 0.5, EnergySft = 0.25 }, new() { Iteration = 1, EnergyRl = 0.75, EnergySft = 0.25, Checkpoint = "c" }];
        var runs = new[]
        {
            new JudgedStudy.MethodSeed("ppo", 1, Result(JudgeOutcome.Win, JudgeOutcome.Lose), Result(JudgeOutcome.Win, JudgeOutcome.Win), [(2, 0.5)], history),
            new JudgedStudy.MethodSeed("ppo", 2, Result(JudgeOutcome.Tie, JudgeOutcome.NoVerdict, JudgeOutcome.Lose), null, [(2, double.NaN)], history),
            new JudgedStudy.MethodSeed("eppo", 1, Result(JudgeOutcome.Win, JudgeOutcome.Win), null, [(2, 1.0)], history),
        };
        var study = new JudgedStudy.Result("text", "chat:x", [1, 2], ["ppo", "eppo"], runs,
            [new JudgedStudy.Answer("ppo", 1, JudgeOutcome.Lose, 0.9, 0.2, 1, 0), new JudgedStudy.Answer("ppo", 1, JudgeOutcome.Win, 0.3, 0.2, 1, 0)], 60);

        JudgedStudyReport.Write(study, "./eppo study", dir);
        var md = File.ReadAllText(Path.Combine(dir, JudgedStudyReport.MarkdownFile));
        Assert.StartsWith("# EPPO on text: the study", md);
        // ppo against SFT over both seeds: win 1, tie 1, lose 2, no verdict 1 of 5 prompts.
        Assert.Contains("| ppo | 20.0 | 20.0 | 40.0 | 1 |", md);
        Assert.Contains("| SFT | 100.0 | 0.0 | 0.0 | 0 |", md);   // EPPO against SFT
        Assert.Contains("| ppo | 100.0 | 0.0 | 0.0 | 0 |", md);   // EPPO against PPO (seed 1 only)
        Assert.Contains("| ppo | 0.500 |", md);                   // Figure 5: the mean of the seeds with a verdict
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, JudgedStudyReport.JsonFile))).RootElement;
        var second = json.GetProperty("runs")[1].GetProperty("vs_sft");
        Assert.Equal((3, 0, 1, 1, 1), (second.GetProperty("prompts").GetInt32(), second.GetProperty("win").GetInt32(), second.GetProperty("tie").GetInt32(),
            second.GetProperty("lose").GetInt32(), second.GetProperty("no_verdict").GetInt32()));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("runs")[1].GetProperty("win_rate")[0].GetProperty("win_rate").ValueKind);
    }
}
