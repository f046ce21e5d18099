namespace Eppo.Experiments;

/// <summary>Everything the report is built from: the config, one baseline per seed, one result per (method, seed).</summary>
public sealed record DemoInputs(DemoReportConfig Config, IReadOnlyList<SeedBaseline> Baselines, IReadOnlyList<MethodRunResult> Runs)
{
    /// <summary>Methods in report order: the method table's order, then any others by name.</summary>
    public IReadOnlyList<string> Methods() => Contracts.TrainingMethods.InReportOrder(Runs.Select(r => r.Method));

    public SeedBaseline Baseline(int seed) =>
        Baselines.FirstOrDefault(b => b.Seed == seed) ?? throw new EppoException($"report: no SFT baseline for seed {seed}");

    /// <summary>Throws naming the first inconsistency: a run without its seed's baseline, a duplicate run, no runs.</summary>
    public DemoInputs Validate()
    {
        if (Runs.Count == 0) throw new EppoException("report: no method runs");
        if (Baselines.Select(b => b.Seed).Distinct().Count() != Baselines.Count)
            throw new EppoException("report: two SFT baselines for the same seed");
        var duplicate = Runs.GroupBy(r => (r.Method, r.Seed)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new EppoException($"report: method '{duplicate.Key.Method}' has two runs with seed {duplicate.Key.Seed}");
        foreach (var run in Runs)
        {
            var baseline = Baseline(run.Seed);
            Core.Evaluation.EvaluationMetrics.RequirePaired(run.Final, baseline.Sft);
            foreach (var checkpoint in run.Checkpoints) Core.Evaluation.EvaluationMetrics.RequirePaired(checkpoint.Evaluation, baseline.Sft);
        }
        return this;
    }
}
