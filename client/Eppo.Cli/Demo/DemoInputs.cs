namespace Eppo.Cli.Demo;

/// <summary>Everything the report is built from: the config, one baseline per seed, one result per (method, seed).</summary>
public sealed record DemoInputs(DemoReportConfig Config, IReadOnlyList<SeedBaseline> Baselines, IReadOnlyList<MethodRunResult> Runs)
{
    /// <summary>Methods in report order: the paper's five first, then any others by name.</summary>
    public IReadOnlyList<string> Methods()
    {
        string[] known = ["ppo", "ppo-kl", "ppo-lp", "eppo", "eppo-kl"];
        var present = Runs.Select(r => r.Method).Distinct().ToArray();
        return known.Where(present.Contains).Concat(present.Except(known).Order(StringComparer.Ordinal)).ToArray();
    }

    public SeedBaseline Baseline(int seed) =>
        Baselines.FirstOrDefault(b => b.Seed == seed) ?? throw new Core.EppoException($"report: no SFT baseline for seed {seed}");

    /// <summary>Throws naming the first inconsistency: a run without its seed's baseline, a duplicate run, no runs.</summary>
    public DemoInputs Validate()
    {
        if (Runs.Count == 0) throw new Core.EppoException("report: no method runs");
        if (Baselines.Select(b => b.Seed).Distinct().Count() != Baselines.Count)
            throw new Core.EppoException("report: two SFT baselines for the same seed");
        var duplicate = Runs.GroupBy(r => (r.Method, r.Seed)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new Core.EppoException($"report: method '{duplicate.Key.Method}' has two runs with seed {duplicate.Key.Seed}");
        foreach (var run in Runs)
        {
            var baseline = Baseline(run.Seed);
            Core.Evaluation.EvaluationMetrics.RequirePaired(run.Final, baseline.Sft);
            foreach (var checkpoint in run.Checkpoints) Core.Evaluation.EvaluationMetrics.RequirePaired(checkpoint.Evaluation, baseline.Sft);
        }
        return this;
    }
}
