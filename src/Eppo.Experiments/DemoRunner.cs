using System.Diagnostics;
using Eppo.Core;
using Eppo.Core.Evaluation;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Training;
using Eppo.Grains.Interfaces;
using Spectre.Console;

namespace Eppo.Experiments;

/// <summary>
/// Runs the demo's specs through the Orleans pipeline, seed by seed (the methods of a seed run concurrently and share
/// its SFT policy and proxy RM), then evaluates every checkpoint on held-out prompts. Where models and checkpoints
/// are comes from the runs' status and history; <paramref name="localPath"/> turns such a location into a local
/// directory (the silo's artifact store).
/// </summary>
public sealed class DemoRunner(IClusterClient client, Func<string, Task<string>> localPath, IAnsiConsole console)
{
    public Task<DemoInputs> RunAsync(bool quick, IReadOnlyList<int> seeds, IReadOnlyList<string> methods, string command, int evalPrompts,
        Func<RunSpec, RunSpec> adjust, CancellationToken cancellation) =>
        RunAsync(DemoPlan.Specs(quick, seeds, methods).Select(adjust).ToArray(), spec => spec.Method, command, evalPrompts, cancellation);

    /// <summary>
    /// Any specs, each reported under its <paramref name="label"/> (unique within a seed): the method name for the demo,
    /// a configuration's name when tuning. Seeds in the specs' order.
    /// </summary>
    public async Task<DemoInputs> RunAsync(IReadOnlyList<RunSpec> given, Func<RunSpec, string> label, string command, int evalPrompts,
        CancellationToken cancellation)
    {
        var specs = given.Select(s => TrainingTasks.Validate(s.Validate("demo"), "demo")).ToArray();
        var seeds = specs.Select(s => s.Seed).Distinct().ToArray();
        var baselines = new List<SeedBaseline>();
        var results = new List<MethodRunResult>();
        foreach (var seed in seeds)
        {
            var seedSpecs = specs.Where(s => s.Seed == seed).ToArray();
            var duplicate = seedSpecs.GroupBy(label).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) throw new EppoException($"demo: two runs labelled '{duplicate.Key}' with seed {seed}");
            var statuses = await TrainAsync(seed, seedSpecs, label, cancellation);
            var runs = new List<TrainedRun>();
            foreach (var spec in seedSpecs) runs.Add(await LocateAsync(spec, label(spec), statuses[label(spec)]));
            var (baseline, seedResults) = await ComputeThreads.RunAsync(() => Evaluate(seed, runs, evalPrompts));
            baselines.Add(baseline);
            results.AddRange(seedResults);
        }
        var first = specs[0];
        // The EPPO settings the report states are those of the first run that shapes with the energy penalty.
        var eppo = specs.FirstOrDefault(s => s.TrainingMethod.Shapes(ShapingTerm.EnergyPenalty)) ?? first;
        return new DemoInputs(new DemoReportConfig
        {
            ProbeSite = first.ProbeSite,
            Eta = eppo.Eta,
            EnergyVariant = DemoReportConfig.Describe(eppo),
            Seeds = seeds,
            Model = first.Model,
            Iterations = first.Iterations,
            KlBeta = first.KlBeta,
            EvalPrompts = evalPrompts,
            MaxNewTokens = first.MaxNewTokens,
            Command = command,
        }, baselines, results).Validate();
    }

    async Task<Dictionary<string, RunStatus>> TrainAsync(int seed, IReadOnlyList<RunSpec> specs, Func<RunSpec, string> label, CancellationToken cancellation)
    {
        var ids = specs.ToDictionary(label, s => RunIds.New(s.Name));
        foreach (var spec in specs) await client.GetGrain<IRunGrain>(ids[label(spec)]).StartAsync(spec.ToJson());
        var clock = Stopwatch.StartNew();
        var labels = specs.ToDictionary(s => ids[label(s)], label);
        IReadOnlyDictionary<string, RunStatus> final = new Dictionary<string, RunStatus>();
        await console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var tasks = specs.ToDictionary(s => ids[label(s)], s => progress.AddTask($"seed {seed} {Markup.Escape(label(s)),-8}", maxValue: s.Iterations));
                void Show(RunStatus status)
                {
                    var task = tasks[status.RunId];
                    task.Value = status.Iteration;
                    var gold = status.Latest?.GoldReward is { } g ? $" gold {g,6:F3}" : "";
                    task.Description = $"seed {seed} {Markup.Escape(labels[status.RunId]),-8} {Markup.Escape(status.Stage),-26}{gold}";
                }
                final = await new RunWaiter(client).UntilAllEndedAsync(ids.Values, Show, ended: status =>
                {
                    Show(status);
                    if (status.State != RunState.Completed)
                        throw new EppoException($"demo: run {status.RunId} ended {status.State}: {status.Reason}");
                    tasks[status.RunId].StopTask();
                }, cancellation);
            });
        console.MarkupLine($"seed {seed}: {specs.Count} runs trained in {clock.Elapsed:mm\\:ss}");
        return specs.ToDictionary(label, s => final[ids[label(s)]]);
    }

    /// <summary>A trained run as evaluation needs it: its whole history and local directories of its models and checkpoints.</summary>
    sealed record TrainedRun(RunSpec Spec, string Label, RunStatus Status, IReadOnlyList<IterationMetrics> History, string SftPath,
        IReadOnlyList<string> RewardPaths, IReadOnlyList<(int Iteration, string Actor)> Checkpoints);

    async Task<TrainedRun> LocateAsync(RunSpec spec, string label, RunStatus status)
    {
        var grain = client.GetGrain<IRunGrain>(status.RunId);
        var history = new List<IterationMetrics>();
        for (IReadOnlyList<IterationMetrics> page; (page = await grain.GetHistoryAsync(history.Count, 1000)).Count > 0;) history.AddRange(page);
        if (history.Count != status.Iteration)
            throw new EppoException($"demo: run {status.RunId} has {history.Count} iterations of history, expected {status.Iteration}");
        var checkpoints = new List<(int, string)>();
        foreach (var m in history.Where(m => m.Checkpoint is not null))
            checkpoints.Add((m.Iteration + 1, Path.Combine(await localPath(m.Checkpoint!), "actor")));
        var rewards = new List<string>();
        foreach (var path in status.RewardPaths) rewards.Add(path == RewardSpec.Gold ? path : await localPath(path));
        return new TrainedRun(spec, label, status, history, await localPath(status.SftPath!), rewards, checkpoints);
    }

    (SeedBaseline, List<MethodRunResult>) Evaluate(int seed, IReadOnlyList<TrainedRun> runs, int evalPrompts)
    {
        var clock = Stopwatch.StartNew();
        // The proxy every policy is scored by in the report: the first run on the plain Bradley–Terry reward model(s).
        var first = runs.FirstOrDefault(r => r.Spec.Reward.Source == RewardSpec.Train && r.Spec.TrainingMethod.RewardModel == RewardModelKind.BradleyTerry) ?? runs[0];
        var task = TrainingTasks.For(first.Spec);
        var sft = ModelPreparation.LoadSft(first.SftPath, first.Spec);
        using var evaluator = new PolicyEvaluator(sft, RewardSources.Load(first.RewardPaths, first.Spec, task), task.Codec,
            PolicyEvaluator.HeldOutPrompts(evalPrompts, seed), new EvaluationOptions(MaxNewTokens: first.Spec.MaxNewTokens));
        var baseline = new SeedBaseline(seed, evaluator.EvaluateSft(), first.Status.RewardHeldOutAccuracy);
        var results = new List<MethodRunResult>();
        console.Status().Start($"seed {seed}: evaluating checkpoints on {evalPrompts} held-out prompts", _ =>
        {
            foreach (var run in runs)
            {
                var method = run.Label;
                var checkpoints = run.Checkpoints
                    .Select(c => new CheckpointEvaluation(c.Iteration, evaluator.Evaluate(c.Actor, $"{method}@iter-{c.Iteration:D6}")))
                    .ToList();
                var final = checkpoints.Last(c => c.Iteration == run.Status.Iteration).Evaluation;
                results.Add(new MethodRunResult(method, seed, run.History, checkpoints, final, run.Status.RewardModels));
            }
        });
        console.MarkupLine($"seed {seed}: evaluation done in {clock.Elapsed:mm\\:ss}");
        return (baseline, results);
    }
}
