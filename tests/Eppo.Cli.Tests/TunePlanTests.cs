using Eppo.Contracts;
using Eppo.Experiments;

namespace Eppo.Cli.Tests;

/// <summary>The tuning protocol's plan: the same budget for every method, disjoint dev and held-out seeds, valid specs, the controls.</summary>
public sealed class TunePlanTests
{
    [Fact]
    public void EveryMethodGetsTheSameBudgetOnDisjointSeeds()
    {
        Assert.Equal(["ppo", "ppo-kl", "ppo-lp", "eppo"], TunePlan.Methods);
        Assert.All(TunePlan.Methods, m => Assert.Equal(TunePlan.Budget, TunePlan.Grid.Count(c => c.Method == m)));
        Assert.Empty(TunePlan.DevSeeds.Intersect(TunePlan.HeldOutSeeds));
        Assert.Equal(TunePlan.Grid.Count, TunePlan.Grid.Select(c => c.Label).Distinct().Count());
    }

    [Fact]
    public void ConfigurationsChangeWhatTheySayAndValidate()
    {
        foreach (var quick in new[] { true, false })
            foreach (var config in TunePlan.Grid.Concat(TunePlan.Controls))
            {
                var spec = TunePlan.Spec(config, quick, 4);
                Assert.Equal((config.Method, 4), (spec.Method, spec.Seed));
            }
        // A method's four configurations are four different runs.
        foreach (var method in TunePlan.Methods)
            Assert.Equal(TunePlan.Budget, TunePlan.Grid.Where(c => c.Method == method).Select(c => TunePlan.Spec(c, true, 1) with { Name = "x" }).Distinct().Count());
        var eppo = TunePlan.Grid.Where(c => c.Method == "eppo").Select(c => TunePlan.Spec(c, true, 1)).ToArray();
        Assert.Contains(eppo, s => s is { EnergyDefinition: "official" });
        Assert.Contains(eppo, s => s is { EnergyReader: "sft", EnergyScale: "spread", EnergyOneSided: true });
        var gold = TunePlan.Spec(TunePlan.Controls.Single(c => c.Label == TunePlan.GoldControl), true, 1);
        Assert.Equal(RewardSpec.Gold, gold.Reward.Source);
        var kl = TunePlan.Spec(TunePlan.Controls.Single(c => c.Label == TunePlan.KlControl), true, 1);
        Assert.Equal(0.2, kl.KlBeta);
        Assert.True(TunePlan.IsControl(TunePlan.KlControl) && !TunePlan.IsControl("ppo-kl"));
    }
}
