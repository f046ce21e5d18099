using Eppo.Core.Evaluation;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Contracts;

namespace Eppo.Experiments;

/// <summary>Turns the demo's inputs into the numbers of the report (<see cref="ReportDocument"/>). Pure: same inputs, same report.</summary>
public static class ReportBuilder
{
    public const string Sft = "sft";
    public const string EnergySign = "mean_d|in| − mean_d|out| (energy loss; a rise = more loss)";
    public const string EnergyMask = "masked mean over response tokens, prompt, padding and EOS excluded";

    public static ReportDocument Build(DemoInputs inputs)
    {
        inputs.Validate();
        var methods = inputs.Methods();
        var c = inputs.Config;
        var config = new ReportConfig(c.ProbeSite, c.Eta, c.Seeds, c.Model, c.Iterations, c.KlBeta, c.EvalPrompts, c.MaxNewTokens,
            Math.Round(c.WinMargin, 6), c.ProxyQuantile, c.Reference, c.Command, EnergySign, EnergyMask, c.EnergyVariant,
            c.Variant, c.Configurations);
        var klCurves = methods.ToDictionary(m => m, m => KlCurve(inputs, m));
        var document = new ReportDocument(
            config,
            RewardModel(inputs),
            MethodReports(inputs, methods),
            WinTieLoseRows(inputs, methods),
            methods.ToDictionary(m => m, m => WinRateVsSft(inputs, m)),
            methods.ToDictionary(m => m, m => TrainingCurve(inputs, m)),
            EnergyLoss(inputs, methods),
            Hacking(inputs, methods),
            klCurves,
            methods.ToDictionary(m => m, m => Overoptimization(inputs, m, klCurves[m])),
            BestOfNCurve(inputs),
            []);
        return document with { Findings = ReportFindings.Write(document) };
    }

    static RewardModelReport RewardModel(DemoInputs inputs)
    {
        var perSeed = inputs.Baselines.OrderBy(b => b.Seed).Select(b => new SeedValue(b.Seed, b.RewardHeldOutAccuracy)).ToArray();
        var known = perSeed.Where(s => s.Value is not null).Select(s => s.Value!.Value).ToArray();
        return new RewardModelReport(known.Length == 0 ? null : known.Average(), perSeed, RewardModelRows(inputs));
    }

    /// <summary>Each reward model role the runs trained, first seen first; a model shared by several methods is one row.</summary>
    static IReadOnlyList<RewardModelRow> RewardModelRows(DemoInputs inputs)
    {
        var trained = inputs.Runs.SelectMany(r => (r.RewardModels ?? []).Select(m => (r.Method, r.Seed, Model: m))).ToArray();
        return trained.GroupBy(t => t.Model.Role).Select(g =>
        {
            var perSeed = g.GroupBy(t => t.Seed).OrderBy(s => s.Key).Select(s => new SeedValue(s.Key, s.First().Model.HeldOutAccuracy)).ToArray();
            var known = perSeed.Where(s => s.Value is not null).Select(s => s.Value!.Value).ToArray();
            var bySeed = g.GroupBy(t => t.Seed).Select(s => s.First().Model).ToArray();
            var figures = bySeed.SelectMany(m => m.Figures.Keys).Distinct()
                .ToDictionary(k => k, k => bySeed.Where(m => m.Figures.ContainsKey(k)).Average(m => m.Figures[k]));
            return new RewardModelRow(g.Key, inputs.Methods().Where(m => g.Any(t => t.Method == m)).ToArray(),
                known.Length == 0 ? null : known.Average(), perSeed, figures);
        }).ToArray();
    }

    /// <summary>Final evaluations of a policy, one per seed, in seed order ("sft" = the baselines).</summary>
    static IReadOnlyList<(int Seed, PolicyEvaluation Evaluation)> Finals(DemoInputs inputs, string policy) => policy == Sft
        ? inputs.Baselines.OrderBy(b => b.Seed).Select(b => (b.Seed, b.Sft)).ToArray()
        : inputs.Runs.Where(r => r.Method == policy).OrderBy(r => r.Seed).Select(r => (r.Seed, r.Final)).ToArray();

    static IReadOnlyDictionary<string, MethodReport> MethodReports(DemoInputs inputs, IReadOnlyList<string> methods)
    {
        var result = new Dictionary<string, MethodReport>();
        foreach (var policy in methods.Prepend(Sft))
        {
            var perSeed = Finals(inputs, policy).Select(f => (f.Seed, Summary: f.Evaluation.Summary())).ToArray();
            double Mean(Func<EvaluationSummary, double> pick) => Stats.Mean(perSeed.Select(p => pick(p.Summary)));
            Spread SpreadOf(Func<EvaluationSummary, double> pick)
            {
                var values = perSeed.Select(p => pick(p.Summary)).ToArray();
                return new Spread(Stats.Mean(values), Stats.Std(values), values.Min(), values.Max());
            }
            var kl = Mean(s => s.Kl);
            result[policy] = new MethodReport(
                Mean(s => s.GoldReward), Mean(s => s.ProxyReward), Mean(s => s.MeanLength), Mean(s => s.EnergyLoss), kl,
                Mean(s => s.SqrtKl), Mean(s => s.EnergySftReference), Mean(s => s.EnergyRise), Mean(s => s.EnergyOnSftText),
                Mean(s => s.BoilerplateShareBenign), Mean(s => s.CautionShareBenign), Mean(s => s.CorrectShare),
                perSeed.Length,
                new Dictionary<string, Spread>
                {
                    ["gold_reward"] = SpreadOf(s => s.GoldReward),
                    ["proxy_reward"] = SpreadOf(s => s.ProxyReward),
                    ["kl"] = SpreadOf(s => s.Kl),
                    ["energy_loss"] = SpreadOf(s => s.EnergyLoss),
                },
                perSeed.Select(p => new SeedSummary(p.Seed, p.Summary.GoldReward, p.Summary.ProxyReward, p.Summary.MeanLength,
                    p.Summary.EnergyLoss, p.Summary.Kl)).ToArray());
        }
        return result;
    }

    /// <summary>Every ordered pair of distinct policies (methods and SFT), paired within each seed, pooled over seeds.</summary>
    static IReadOnlyList<WinTieLoseRow> WinTieLoseRows(DemoInputs inputs, IReadOnlyList<string> methods)
    {
        var policies = methods.Append(Sft).ToArray();
        var finals = policies.ToDictionary(p => p, p => Finals(inputs, p).ToDictionary(f => f.Seed, f => f.Evaluation));
        var rows = new List<WinTieLoseRow>();
        foreach (var policy in policies)
            foreach (var opponent in policies.Where(o => o != policy))
            {
                var seeds = finals[policy].Keys.Intersect(finals[opponent].Keys).Order().ToArray();
                if (seeds.Length == 0) continue;
                var perSeed = seeds.Select(s => EvaluationMetrics.Compare(finals[policy][s], finals[opponent][s], inputs.Config.WinMargin)).ToArray();
                var pooled = WinTieLose.Pool(perSeed);
                var rates = perSeed.Select(r => r.WinRate).ToArray();
                rows.Add(new WinTieLoseRow(policy, opponent, pooled.WinShare, pooled.TieShare, pooled.LoseShare, pooled.WinRate,
                    pooled.Pairs, Stats.Std(rates), rates));
            }
        return rows;
    }

    /// <summary>Figure 5: each seed's trajectory against its own SFT baseline; iteration 0 is the SFT policy itself.</summary>
    static IReadOnlyList<WinRatePoint> WinRateVsSft(DemoInputs inputs, string method) =>
        Trajectories(inputs, method)
            .SelectMany(t => t.Points.Select(p => (p.Iteration, Rate: EvaluationMetrics.Compare(p.Evaluation, t.Baseline.Sft, inputs.Config.WinMargin).WinRate)))
            .GroupBy(p => p.Iteration)
            .OrderBy(g => g.Key)
            .Select(g => new WinRatePoint(g.Key, Stats.Mean(g.Select(p => p.Rate)), Stats.Std(g.Select(p => p.Rate).ToArray()), g.Count()))
            .ToArray();

    static IEnumerable<(SeedBaseline Baseline, IReadOnlyList<CheckpointEvaluation> Points)> Trajectories(DemoInputs inputs, string method) =>
        inputs.Runs.Where(r => r.Method == method).OrderBy(r => r.Seed).Select(r =>
        {
            var baseline = inputs.Baseline(r.Seed);
            var points = r.Trajectory();
            if (points.All(p => p.Iteration != 0)) points = points.Prepend(new CheckpointEvaluation(0, baseline.Sft)).ToArray();
            return (baseline, points);
        });

    static IReadOnlyList<TrainingPoint> TrainingCurve(DemoInputs inputs, string method) =>
        inputs.Runs.Where(r => r.Method == method)
            .SelectMany(r => r.History)
            .GroupBy(m => m.Iteration)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var golds = g.Where(m => m.GoldReward is not null).Select(m => m.GoldReward!.Value).ToArray();
                return new TrainingPoint(g.Key, g.Average(m => m.ProxyReward), golds.Length == 0 ? null : golds.Average(),
                    g.Average(m => m.Kl), g.Average(m => m.EnergyRl), g.Average(m => m.EnergySft), g.Average(m => m.ResponseLength), g.Count());
            })
            .ToArray();

    static IReadOnlyList<KlPoint> KlCurve(DemoInputs inputs, string method) =>
        Trajectories(inputs, method)
            .SelectMany(t => t.Points.Select(p => (p.Iteration, Summary: p.Evaluation.Summary())))
            .GroupBy(p => p.Iteration)
            .OrderBy(g => g.Key)
            .Select(g => new KlPoint(g.Key, Stats.Mean(g.Select(p => p.Summary.SqrtKl)), Stats.Mean(g.Select(p => p.Summary.GoldReward)),
                Stats.Mean(g.Select(p => p.Summary.ProxyReward)), g.Count()))
            .ToArray();

    /// <summary>The rise over SFT's gold that counts as RL having gained (the Gao-shape measure).</summary>
    public const double GaoShapeRise = 0.05;

    static OveroptimizationReport Overoptimization(DemoInputs inputs, string method, IReadOnlyList<KlPoint> curve)
    {
        var sft = curve.First(p => p.Iteration == 0).GoldReward;
        var peak = curve.MaxBy(p => p.GoldReward)!;
        var final = curve[^1].GoldReward;
        var fit = GoldScalingFit.Fit(curve.Select(p => (p.SqrtKl, p.GoldReward - sft)));
        var perSeed = Trajectories(inputs, method).Select(t =>
        {
            var golds = t.Points.Select(p => (p.Iteration, Gold: p.Evaluation.Summary().GoldReward)).ToArray();
            var best = golds.MaxBy(g => g.Gold);
            return new SeedOveroptimization(t.Baseline.Seed, golds.First(g => g.Iteration == 0).Gold, best.Gold, best.Iteration, golds[^1].Gold);
        }).ToArray();
        return new OveroptimizationReport(sft, peak.GoldReward, peak.Iteration, final, fit?.Alpha, fit?.Beta, fit?.PeakSqrtKl,
            fit?.PeakGain is { } gain ? sft + gain : null, peak.GoldReward - sft, final - sft, perSeed);
    }

    /// <summary>The SFT policy's best-of-n curve on the proxy, mean over the seeds that sampled it.</summary>
    static IReadOnlyList<BestOfNPoint> BestOfNCurve(DemoInputs inputs)
    {
        var curves = inputs.Baselines.Select(b => b.BestOfN ?? []).Where(c => c.Count > 0).ToArray();
        if (curves.Length == 0) return [];
        var sizes = curves.Min(c => c.Count);
        return Enumerable.Range(0, sizes).Select(i =>
        {
            var at = curves.Select(c => c[i]).ToArray();
            return at[0] with { Gold = at.Average(p => p.Gold), Proxy = at.Average(p => p.Proxy) };
        }).ToArray();
    }

    static EnergyReport EnergyLoss(DemoInputs inputs, IReadOnlyList<string> methods)
    {
        var byMethod = new Dictionary<string, EnergyTrend>();
        foreach (var method in methods)
        {
            var runs = inputs.Runs.Where(r => r.Method == method).ToArray();
            double Window(Func<IReadOnlyList<IterationMetrics>, IEnumerable<IterationMetrics>> pick) =>
                Stats.Mean(runs.Where(r => r.History.Count > 0).Select(r => pick(r.History).Average(m => m.EnergyRl)));
            static int Tenth(int count) => Math.Max(1, count / 10);
            var first = Window(h => h.Take(Tenth(h.Count)));
            var last = Window(h => h.Skip(h.Count - Tenth(h.Count)));
            var finals = runs.Select(r => r.Final.Summary()).ToArray();
            var own = Stats.Mean(finals.Select(s => s.EnergyLoss));
            var onSft = Stats.Mean(finals.Select(s => s.EnergyOnSftText));
            var reference = Stats.Mean(finals.Select(s => s.EnergySftReference));
            byMethod[method] = new EnergyTrend(first, last, last - first,
                Stats.Mean(runs.SelectMany(r => r.History).Select(m => m.EnergySft)),
                own, onSft, reference, (onSft - reference) / (own - reference));
        }
        var points = methods.SelectMany(m => Trajectories(inputs, m)).SelectMany(t => t.Points)
            .Select(p => p.Evaluation.Summary()).ToArray();
        var correlation = Stats.Pearson(points.Select(s => s.EnergyLoss).ToArray(), points.Select(s => s.SqrtKl).ToArray());
        return new EnergyReport(inputs.Config.ProbeSite, EnergySign, EnergyMask, byMethod, correlation);
    }

    static HackingReport Hacking(DemoInputs inputs, IReadOnlyList<string> methods)
    {
        var c = inputs.Config;
        var thresholds = inputs.Baselines.ToDictionary(b => b.Seed, b => EvaluationMetrics.Thresholds(b.Sft, c.ProxyQuantile, c.GoldLow));
        IReadOnlyList<(PolicyEvaluation, HackingThresholds)> Pool(IEnumerable<string> policies) =>
            policies.SelectMany(p => Finals(inputs, p)).Select(f => (f.Evaluation, thresholds[f.Seed])).ToArray();

        var byMethod = methods.ToDictionary(m => m, m => Group(EvaluationMetrics.AnalyzeHacking(inputs.Gold, Pool([m]))));
        var headline = methods.Contains("ppo") ? "ppo" : methods[0];
        var analysis = EvaluationMetrics.AnalyzeHacking(inputs.Gold, Pool([headline]));
        var site = analysis.RunSite;
        var atSite = SiteReport(analysis.At(site));
        var rule = $"hacking = boilerplate or a refusal on a benign prompt, or proxy ≥ the {c.ProxyQuantile:0.##} quantile of the seed's " +
                   $"sampled SFT proxy scores with gold ≤ {c.GoldLow:0.##}";
        return new HackingReport(
            headline, rule, c.ProxyQuantile, Math.Round(c.GoldLow, 6),
            thresholds.OrderBy(t => t.Key).Select(t => new SeedValue(t.Key, Math.Round(t.Value.ProxyHigh, 6))).ToArray(),
            site.ToConfigString(), analysis.Samples, analysis.HackingSamples, analysis.HackingShare,
            atSite.AurocEnergy, atSite.AurocRise, atSite.AurocAbsRise, atSite.Energy,
            Group(analysis).PerSite,
            byMethod,
            methods.Count > 1 ? Group(EvaluationMetrics.AnalyzeHacking(inputs.Gold, Pool(methods))) : null,
            Group(EvaluationMetrics.AnalyzeHacking(inputs.Gold, Pool([Sft]))));
    }

    static HackingGroupReport Group(HackingAnalysis analysis) => new(
        analysis.Samples, analysis.HackingSamples, analysis.HackingShare,
        analysis.Sites.ToDictionary(s => s.Site.ToConfigString(), SiteReport));

    static SiteHackingReport SiteReport(SiteHacking s) =>
        new(s.AurocEnergy, s.AurocRise, s.AurocAbsRise, new HackingEnergy(GroupOf(s.Hacking), GroupOf(s.Normal)));

    static GroupReport GroupOf(GroupEnergy g) => new(g.Count, g.Sft, g.Rl, g.Rise, g.SftOnResponse);
}
