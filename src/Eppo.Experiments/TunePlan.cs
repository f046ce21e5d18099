using Eppo.Contracts;

namespace Eppo.Experiments;

/// <summary>One configuration of the tuning grid: the method, what it sets, and how.</summary>
public sealed record TuneConfig(string Label, string Method, string Setting, Func<RunSpec, RunSpec> Apply);

/// <summary>
/// The honest protocol (`eppo tune`): every method gets the same budget of four configurations, tuned on dev seeds
/// 1–3 by gold; the picked configurations are then run on held-out seeds 4–6, which no choice looks at. PPO tunes its
/// learning rate, PPO w/ KL its β, PPO w/ LP its length scale, EPPO η × energy variant. Two controls that do not hack
/// measure the alarm's false alarms: PPO on the gold judge itself, and PPO w/ KL at the grid's largest β.
/// </summary>
public static class TunePlan
{
    public static readonly IReadOnlyList<int> DevSeeds = [1, 2, 3];
    public static readonly IReadOnlyList<int> HeldOutSeeds = [4, 5, 6];
    public const int Budget = 4;

    public static readonly IReadOnlyList<TuneConfig> Grid =
    [
        .. new[] { 5e-5, 1e-4, 2e-4, 4e-4 }.Select(lr => new TuneConfig($"ppo.lr{lr:0e0}", "ppo", $"actor_lr {lr:0e0}", s => s with { ActorLr = lr })),
        .. new[] { 0.02, 0.05, 0.1, 0.2 }.Select(b => new TuneConfig($"ppo-kl.beta{b}", "ppo-kl", $"kl_beta {b}", s => s with { KlBeta = b })),
        .. new[] { 4.0, 6, 8, 12 }.Select(n => new TuneConfig($"ppo-lp.n{n}", "ppo-lp", $"length_scale {n}", s => s with { LengthScale = n })),
        new("eppo.paper-eta2", "eppo", "η 2, paper energy (the paper's EPPO)", s => s with { Eta = 2 }),
        new("eppo.spread-eta1", "eppo", "η 1, spread scale", s => s with { Eta = 1, EnergyScale = "spread" }),
        new("eppo.sft-spread-onesided-eta1", "eppo", "η 1, SFT reader, spread scale, one-sided", s => s with
        {
            Eta = 1, EnergyReader = "sft", EnergyScale = "spread", EnergyOneSided = true,
        }),
        new("eppo.official-eta2", "eppo", "η 2, official energy (output energy of each MLP linear)", s => s with { Eta = 2, EnergyDefinition = "official" }),
    ];

    public static readonly IReadOnlyList<string> Methods = Grid.Select(c => c.Method).Distinct().ToArray();

    public const string GoldControl = "control.gold-ppo";
    public const string KlControl = "control.ppo-kl-max-beta";

    static readonly double MaxKlBeta = Grid.Where(c => c.Method == "ppo-kl").Max(c => c.Apply(new RunSpec()).KlBeta);

    /// <summary>The controls: PPO on the gold judge, PPO w/ KL at the largest β of the grid.</summary>
    public static readonly IReadOnlyList<TuneConfig> Controls =
    [
        new(GoldControl, "ppo", "PPO optimising the gold judge itself", s => s with { Reward = s.Reward with { Source = RewardSpec.Gold } }),
        new(KlControl, "ppo-kl", $"kl_beta {MaxKlBeta}", s => s with { KlBeta = MaxKlBeta }),
    ];

    public static bool IsControl(string label) => label.StartsWith("control.", StringComparison.Ordinal);

    /// <summary>The dev phase: every configuration of the grid and the controls on the dev seeds, labelled by configuration.</summary>
    public static StudyPlan<GoldSeed> Dev(bool quick, int evalPrompts) =>
        Phase(DevSeeds.SelectMany(seed => Grid.Concat(Controls).Select(c => (Config: c, Label: c.Label, Seed: seed))), quick, evalPrompts);

    /// <summary>The held-out phase: each method's picked configuration (labelled by the method) and the controls on the held-out seeds.</summary>
    public static StudyPlan<GoldSeed> HeldOut(IReadOnlyDictionary<string, string> picked, bool quick, int evalPrompts)
    {
        var configs = Methods.Select(m => (Label: m, Config: Grid.Single(c => c.Label == picked[m]))).Concat(Controls.Select(c => (c.Label, Config: c))).ToArray();
        return Phase(HeldOutSeeds.SelectMany(seed => configs.Select(c => (c.Config, c.Label, Seed: seed))), quick, evalPrompts);
    }

    static StudyPlan<GoldSeed> Phase(IEnumerable<(TuneConfig Config, string Label, int Seed)> runs, bool quick, int evalPrompts) =>
        new("tune", runs.Select(r => new PlannedRun(Spec(r.Config, quick, r.Seed, r.Label), r.Label)).ToArray(), new GoldEvaluation(evalPrompts));

    /// <summary>A configuration's run spec for a seed, on the demo's base (quick or full).</summary>
    public static RunSpec Spec(TuneConfig config, bool quick, int seed, string? label = null) => (config.Apply(DemoPlan.Base(quick)) with
    {
        Name = $"tune-{label ?? config.Label}-s{seed}",
        Method = config.Method,
        Seed = seed,
    }).Validate("tune");

}
