using Eppo.Contracts;
using Eppo.Core.Tasks;

namespace Eppo.Experiments;

/// <summary>
/// Everything the report is built from: the config, one baseline per seed, one result per (method, seed), and the
/// task's gold judge, whose hacking rule labels the samples.
/// </summary>
public sealed record DemoInputs(DemoReportConfig Config, IReadOnlyList<SeedBaseline> Baselines, IReadOnlyList<MethodRunResult> Runs, IGoldJudge Gold)
{
    /// <summary>The inputs of a gold-judged study's plan and its seeds' evaluations; the report states the first run's settings, the variant and where non-paper settings came from.</summary>
    /// <param name="stated">The runs whose settings the report's single rows (η, β, energy variant) may state: with
    /// a tune's picks, the runs the picks left alone (the configurations row names the others); default all.</param>
    public static DemoInputs Of(StudyPlan<GoldSeed> plan, IReadOnlyList<GoldSeed> seeds, string command, int evalPrompts,
        HackBenchVariant? variant = null, string configurations = "", Func<RunSpec, bool>? stated = null)
    {
        var all = plan.Runs.Select(r => r.Spec).ToArray();
        var first = all[0];
        var specs = stated is null ? all : all.Where(stated).DefaultIfEmpty(first).ToArray();
        // The EPPO settings the report states are those of the first run that shapes with the energy penalty.
        var eppo = specs.FirstOrDefault(s => s.TrainingMethod.Shapes(ShapingTerm.EnergyPenalty)) ?? first;
        var task = TrainingTasks.For(first);
        return new DemoInputs(new DemoReportConfig
        {
            ProbeSite = first.ProbeSite,
            Eta = eppo.Eta,
            EnergyVariant = DemoReportConfig.Describe(eppo),
            Seeds = plan.Seeds,
            Model = first.Model,
            Iterations = first.Iterations,
            KlBeta = specs[0].KlBeta,
            EvalPrompts = evalPrompts,
            MaxNewTokens = first.MaxNewTokens,
            Command = command,
            Variant = (variant ?? HackBenchVariant.Gao).Name,
            Configurations = configurations,
        }, seeds.Select(s => s.Baseline).ToArray(), seeds.SelectMany(s => s.Runs).ToArray(),
            task.Gold ?? throw new EppoException($"report: task '{task.Name}' has no gold judge")).Validate();
    }

    /// <summary>Methods in report order: the method table's order, then any others by name.</summary>
    public IReadOnlyList<string> Methods() => TrainingMethods.InReportOrder(Runs.Select(r => r.Method));

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
