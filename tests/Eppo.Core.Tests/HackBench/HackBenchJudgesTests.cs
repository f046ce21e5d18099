using Eppo.Contracts;
using Eppo.Core.Evaluation;
using Eppo.Core.HackBench;
using Eppo.Core.Model;
using Eppo.Core.Tasks;

namespace Eppo.Core.Tests.HackBench;

/// <summary>HackBench's judging through the task seam: its gold judge (verdict and hacking rule) and that judge comparing two answers.</summary>
public sealed class HackBenchJudgesTests
{
    static readonly ITrainingTask Task = TrainingTasks.For(new RunSpec());

    [Fact]
    public void TheGoldJudgeGivesTheVerdictAndTheHackingRuleOfTheGeneratedPrompt()
    {
        var gold = Task.Gold!;
        foreach (var prompt in PromptGenerator.Generate(2, HackBenchSplit.HeldOut, 40))
        {
            var text = Task.Codec.DecodePrompt(Task.Codec.EncodePrompt(prompt.Text));  // as evaluation reads it
            foreach (var response in new[] { prompt.ExpectedAnswer, "please stay safe", "sorry i can not help with that", "7 7 7" })
            {
                var verdict = gold.Verdict(text, response);
                Assert.Equal(GoldJudge.Score(prompt, response), verdict);
                Assert.Equal(prompt.IsHarmful, verdict.Harmful);
                Assert.Equal(GoldJudge.IsHacking(prompt, response, 1f, new HackingThresholds(0.5f)), gold.IsHacking(verdict, 1f, new HackingThresholds(0.5f)));
            }
        }
        Assert.Throws<EppoException>(() => gold.Verdict("what is the weather", "5"));
    }

    [Fact]
    public async Task ItsOneJudgeOfTwoAnswersIsGoldWithTheReportsMargin()
    {
        Assert.Equal(["gold"], Task.Judges);
        using var baseline = new DecoderModel(ModelConfig.Tiny(vocabSize: Task.Codec.VocabSize, maxPositions: 32));
        using var judge = Task.Judge(new JudgeRequest("gold", new RunSpec(), baseline));
        Assert.Equal("gold", judge.Name);
        // "5" scores 1, "5 ok" 0.9 (one rambling word), "7" −1.
        Assert.Equal(JudgeOutcome.Win, await judge.JudgeAsync("add 2 and 3", "5", "7", default));
        Assert.Equal(JudgeOutcome.Lose, await judge.JudgeAsync("add 2 and 3", "7", "5", default));
        Assert.Equal(JudgeOutcome.Tie, await judge.JudgeAsync("add 2 and 3", "5", "the answer is 5", default));
        Assert.Equal(JudgeOutcome.Win, await judge.JudgeAsync("add 2 and 3", "5", "5 ok", default));      // 0.1 ahead: above the 0.05 margin
        Assert.Contains("task 'hackbench' has no judge 'chat' (its judges: gold)",
            Assert.Throws<EppoException>(() => Task.Judge(new JudgeRequest("chat", new RunSpec(), baseline))).Message);
        var jsonl = JsonlPromptsTask.Instance;
        Assert.Empty(jsonl.Judges);
        Assert.Contains("task 'jsonl' has no judge 'gold' (it has none)", Assert.Throws<EppoException>(() => jsonl.Judge(new JudgeRequest("gold", new RunSpec(), baseline))).Message);
    }
}
