using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;

namespace Eppo.Core.Tests.Iteration;

/// <summary>The method table, the task catalog and reward sources as the run spec sees them: one place each, bad names refused.</summary>
public sealed class MethodTableTests
{
    static RunSpec Spec => TinyRun.Spec();

    static string Refused(RunSpec spec) => Assert.Throws<EppoException>(() => TrainingTasks.Validate(spec.Validate("spec.json"), "spec.json")).Message;

    [Fact]
    public void MethodsAreNamedOnceAndTheDemoRunsThePapersFive()
    {
        Assert.Equal(TrainingMethods.Names.Distinct(), TrainingMethods.Names);
        Assert.Equal(["ppo", "ppo-kl", "ppo-lp", "eppo", "eppo-kl"], TrainingMethods.DemoNames);
        Assert.All(TrainingMethods.All.SelectMany(m => m.Contrasts), c => Assert.NotNull(TrainingMethods.Find(c)));
    }

    [Fact]
    public void AnUnknownMethodNamesTheFieldAndListsTheKnownOnes()
    {
        var message = Refused(Spec with { Method = "reinforce" });
        Assert.Contains("field 'method'", message);
        Assert.Contains("'reinforce'", message);
        foreach (var name in TrainingMethods.Names) Assert.Contains(name, message);
    }

    [Fact]
    public void MethodsComposeTheirParts()
    {
        Assert.True(TrainingMethods.Get("eppo-kl").Kl);
        Assert.True(TrainingMethods.Get("eppo-kl").Shapes(ShapingTerm.EnergyPenalty));
        Assert.True(TrainingMethods.Get("ppo-lp").Shapes(ShapingTerm.LengthPenalty));
        Assert.Equal(0.0, (Spec with { Method = "ppo" }).EffectiveKlBeta);
        Assert.Equal(Spec.KlBeta, (Spec with { Method = "ppo-kl" }).EffectiveKlBeta);
        Assert.Equal(1, Spec.RewardMembers);
        Assert.Equal(RewardCombination.Single, Spec.RewardCombination);
    }

    [Fact]
    public void AnUnknownTaskNamesTheFieldAndListsTheKnownOnes()
    {
        var message = Refused(Spec with { Task = "chess" });
        Assert.Equal("spec.json: field 'task': unknown task 'chess' (expected one of hackbench, jsonl, text)", message);
    }

    [Fact]
    public void TasksRefuseWhatTheyCannotServe()
    {
        var prompts = Path.GetTempFileName();
        try
        {
            Assert.Contains("prompts_file", Refused(Spec with { PromptsFile = prompts }));
            Assert.Contains("prompts_file", Refused(Spec with { Task = "jsonl" }));
            Assert.Contains("sft.source", Refused(Spec with { Task = "jsonl", PromptsFile = prompts }));
        }
        finally { File.Delete(prompts); }
    }

    [Fact]
    public void RewardMembersAndCombinationAreChecked()
    {
        Assert.Contains("reward.combine", Refused(Spec with { Reward = Spec.Reward with { Members = 2 } }));
        var two = Spec with { Reward = Spec.Reward with { Members = 2, Combine = "mean" } };
        Assert.Equal((2, RewardCombination.Mean), (two.Validate().RewardMembers, two.RewardCombination));
        var unknown = Refused(Spec with { Reward = Spec.Reward with { Combine = "median" } });
        Assert.Contains("'median'", unknown);
        Assert.Contains("single, mean", unknown);
        Assert.Contains("reward.members", Refused(Spec with { Reward = Spec.Reward with { Source = "gold", Members = 2 } }));
        Assert.Contains("reward.checkpoints", Refused(Spec with { Reward = Spec.Reward with { Source = "checkpoints" } }));
        Assert.Contains("reward.checkpoints[1]", Refused(Spec with { Reward = Spec.Reward with { Source = "checkpoints", Checkpoints = [Path.GetTempPath(), "/no/such/rm"] } }));
    }

    [Fact]
    public void CombinedScoresAreComputedByHand()
    {
        float[][] members = [[1f, -2f, 0.5f], [3f, 0f, 0.5f]];
        Assert.Equal([2f, -1f, 0.5f], RewardSources.Combine(RewardCombination.Mean, members));
        Assert.Equal([1f, -2f, 0.5f], RewardSources.Combine(RewardCombination.Single, [members[0]]));
        Assert.Throws<EppoException>(() => RewardSources.Combine(RewardCombination.Single, members));
        Assert.Throws<EppoException>(() => RewardSources.Combine(RewardCombination.Mean, [[1f], [1f, 2f]]));
    }
}
