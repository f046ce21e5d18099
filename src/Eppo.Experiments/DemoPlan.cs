using Eppo.Contracts;

namespace Eppo.Experiments;

/// <summary>
/// The demo's runs: one spec per (method, seed). The full plan follows the prototype's calibration (d=64, 2 layers,
/// SFT 1500 steps, 300 PPO iterations of 64 rollouts); --quick is a smaller model and shorter RL. What the data are —
/// the SFT mix, the annotator, the proxy's number of pairs — is the HackBench variant's (<see cref="HackBenchVariant"/>). <see cref="Base"/> is the paper's EPPO (η = 2, raw energy), which the
/// tuning protocol starts from; the quick demo's runs use <see cref="PickedEppo"/>, the configuration the protocol
/// picked at that scale. The full demo keeps the paper's: the quick pick did not carry over (docs/results.md).
/// </summary>
public static class DemoPlan
{
    public static IReadOnlyList<string> Methods => TrainingMethods.DemoNames;

    /// <summary>The demo's base spec on a HackBench variant (default: <see cref="HackBenchVariant.Gao"/>).</summary>
    public static RunSpec Base(bool quick, HackBenchVariant? variant = null) => (variant ?? HackBenchVariant.Gao).Apply(Scale(quick), quick);

    /// <summary>Model, data and RL sizes of each scale; the variant says what the data are.</summary>
    static RunSpec Scale(bool quick) => quick
        ? new RunSpec
        {
            Name = "demo-quick",
            Prompts = 4096,
            Model = new ModelSpec { HiddenSize = 48, Layers = 2, Heads = 4, KvHeads = 4, IntermediateSize = 128 },
            Sft = new SftSpec { Steps = 600, BatchSize = 64, Lr = 3e-3, Examples = 10000 },
            Reward = new RewardSpec { Epochs = 2, BatchSize = 64, Lr = 1e-3 },
            Iterations = 60,
            BatchSize = 32,
            MiniBatchSize = 16,
            CheckpointInterval = 10,
            Generators = 1,
            PromptShards = 2,
        }
        : new RunSpec
        {
            Name = "demo",
            Prompts = 8192,
            Model = new ModelSpec { HiddenSize = 64, Layers = 2, Heads = 4, KvHeads = 4, IntermediateSize = 176 },
            Sft = new SftSpec { Steps = 1500, BatchSize = 128, Lr = 3e-3, Examples = 20000 },
            Reward = new RewardSpec { Epochs = 3, BatchSize = 128, Lr = 1e-3 },
            Iterations = 300,
            BatchSize = 64,
            MiniBatchSize = 32,
            CheckpointInterval = 25,
            Generators = 1,
            PromptShards = 2,
        };

    /// <summary>
    /// EPPO's configuration in the quick demo: the one `eppo tune --quick` picked by gold on dev seeds 1–3 among four
    /// (η 1 on the spread scale; the paper's η 2 raw scored 0.27 there, this 0.42). docs/results.md has the protocol
    /// and its held-out numbers, where this pick does not beat PPO, and a full-scale run where it is far worse than the
    /// paper's configuration — so the full demo keeps η 2, raw, until a full-scale `eppo tune` picks.
    /// </summary>
    public static RunSpec PickedEppo(RunSpec spec) => spec with { Eta = 1, EnergyScale = "spread" };

    /// <summary>The demo as a study: one run per (seed, method), labelled by method, evaluated by the gold judge on <paramref name="evalPrompts"/> held-out prompts.</summary>
    public static StudyPlan<GoldSeed> Plan(bool quick, IReadOnlyList<int> seeds, IReadOnlyList<string> methods, int evalPrompts,
        Func<RunSpec, RunSpec>? adjust = null, HackBenchVariant? variant = null) =>
        new("demo", Specs(quick, seeds, methods, variant).Select(adjust ?? (s => s)).Select(s => new PlannedRun(s, s.Method)).ToArray(), new GoldEvaluation(evalPrompts));

    public static IReadOnlyList<RunSpec> Specs(bool quick, IReadOnlyList<int> seeds, IReadOnlyList<string> methods, HackBenchVariant? variant = null) =>
        seeds.SelectMany(seed => methods.Select(method => ((quick ? PickedEppo(Base(quick, variant)) : Base(quick, variant)) with
        {
            Name = $"{(quick ? "demo-quick" : "demo")}-{method}-s{seed}",
            Method = method,
            Seed = seed,
        }).Validate("demo"))).ToArray();
}
