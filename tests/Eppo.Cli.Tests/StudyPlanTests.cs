using Eppo.Contracts;
using Eppo.Experiments;

namespace Eppo.Cli.Tests;

/// <summary>`eppo demo`, `eppo tune` and `eppo study` as plans of the one study driver: their runs, labels, seeds and evaluations.</summary>
public sealed class StudyPlanTests
{
    [Fact]
    public void TheDemoIsOneRunPerSeedAndMethodLabelledByMethodAndGoldJudged()
    {
        var plan = DemoPlan.Plan(quick: true, [1, 2], ["ppo", "eppo"], evalPrompts: 32, s => s with { ProbeSite = "block" });
        Assert.Equal("demo", plan.Name);
        Assert.Equal([1, 2], plan.Seeds);
        Assert.Equal(["ppo", "eppo", "ppo", "eppo"], plan.Runs.Select(r => r.Label));
        Assert.Equal(["demo-quick-ppo-s1", "demo-quick-eppo-s1", "demo-quick-ppo-s2", "demo-quick-eppo-s2"], plan.Runs.Select(r => r.Spec.Name));
        Assert.All(plan.Runs, r => Assert.Equal("block", r.Spec.ProbeSite));
        Assert.Equal(DemoPlan.Specs(true, [1, 2], ["ppo", "eppo"]).Select(s => s with { ProbeSite = "block" }), plan.Runs.Select(r => r.Spec));
        Assert.Equal(32, Assert.IsType<GoldEvaluation>(plan.Evaluation).Prompts);
    }

    [Fact]
    public void TuningIsTwoPlansTheHeldOutOneLabelledByMethod()
    {
        var dev = TunePlan.Dev(quick: true, evalPrompts: 16);
        Assert.Equal(TunePlan.DevSeeds, dev.Seeds);
        Assert.Equal(TunePlan.DevSeeds.Count * (TunePlan.Grid.Count + TunePlan.Controls.Count), dev.Runs.Count);
        Assert.Contains(dev.Runs, r => r.Label == "ppo.lr1e-4" && r.Spec.Name == "tune-ppo.lr1e-4-s2" && r.Spec.ActorLr == 1e-4);
        var picked = TunePlan.Methods.ToDictionary(m => m, m => TunePlan.Grid.Last(c => c.Method == m).Label);
        var heldOut = TunePlan.HeldOut(picked, quick: true, evalPrompts: 16);
        Assert.Equal(TunePlan.HeldOutSeeds, heldOut.Seeds);
        var seed4 = heldOut.Runs.Where(r => r.Spec.Seed == 4).ToArray();
        Assert.Equal([.. TunePlan.Methods, TunePlan.GoldControl, TunePlan.KlControl], seed4.Select(r => r.Label));
        var eppo = seed4.Single(r => r.Label == "eppo").Spec;
        Assert.Equal(("tune-eppo-s4", "official"), (eppo.Name, eppo.EnergyDefinition));   // the picked configuration, named by its method
    }

    [Fact]
    public void TheJudgedStudyRunsEveryMethodOnEverySeedFromTheTemplate()
    {
        var template = new RunSpec { Name = "t", Iterations = 3 };
        var plan = JudgedStudy.Plan(template, ["ppo", "eppo"], [1, 2], new JudgedEvaluation((_, _) => throw new InvalidOperationException(), 5));
        Assert.Equal("study", plan.Name);
        Assert.Equal(["t-ppo-s1", "t-eppo-s1", "t-ppo-s2", "t-eppo-s2"], plan.Runs.Select(r => r.Spec.Name));
        Assert.All(plan.Runs, r => Assert.Equal((r.Label, 3), (r.Spec.Method, r.Spec.Iterations)));
    }
}
