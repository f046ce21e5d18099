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
    public async Task<DemoInputs> RunAsync(bool quick, IReadOnlyList<int> seeds, IReadOnlyList<string> methods, string command, int evalPrompts,
        Func<RunSpec, RunSpec> adjust, CancellationToken cancellation)
    {
        var specs = DemoPlan.Specs(quick, seeds, methods).Select(s => TrainingTasks.Validate(adjust(s).Validate("demo"), "demo")).ToArray();
        var baselines = new List<SeedBaseline>();
        var results = new List<MethodRunResult>();
        foreach (var seed in seeds)
        {
            var seedSpecs = specs.Where(s => s.Seed == seed).ToArray();
            var statuses = await TrainAsync(seed, seedSpecs, cancellation);
            var runs = new List<TrainedRun>();
            foreach (var spec in seedSpecs) runs.Add(await LocateAsync(spec, statuses[spec.Method]));
            var (baseline, seedResults) = await ComputeThreads.RunAsync(() => Evaluate(seed, runs, evalPrompts));
            baselines.Add(baseline);
            results.AddRange(seedResults);
        }
        var first = specs[0];
        return new DemoInputs(new DemoReportConfig
        {
            ProbeSite = first.ProbeSite,
            Eta = first.Eta,
            Seeds = seeds,
            Model = first.Model,
            Iterations = first.Iterations,
            KlBeta = first.KlBeta,
            EvalPrompts = evalPrompts,
            MaxNewTokens = first.MaxNewTokens,
            Command = command,
        }, baselines, results).Validate();
    }

    async Task<Dictionary<string, RunStatus>> TrainAsync(int seed, IReadOnlyList<RunSpec> specs, CancellationToken cancellation)
    {
        var ids = specs.ToDictionary(s => s.Method, s => RunIds.New(s.Name));
        foreach (var spec in specs) await client.GetGrain<IRunGrain>(ids[spec.Method]).StartAsync(spec.ToJson());
        var clock = Stopwatch.StartNew();
        var final = new Dictionary<string, RunStatus>();
        await console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var tasks = specs.ToDictionary(s => s.Method, s => progress.AddTask($"seed {seed} {s.Method,-8}", maxValue: s.Iterations));
                while (final.Count < specs.Count)
                {
                    cancellation.ThrowIfCancellationRequested();
                    foreach (var spec in specs.Where(s => !final.ContainsKey(s.Method)))
                    {
                        var status = await client.GetGrain<IRunGrain>(ids[spec.Method]).GetStatusAsync();
                        if (status is null) continue;
                        var task = tasks[spec.Method];
                        task.Value = status.Iteration;
                        var gold = status.Latest?.GoldReward is { } g ? $" gold {g,6:F3}" : "";
                        task.Description = $"seed {seed} {spec.Method,-8} {Markup.Escape(status.Stage),-26}{gold}";
                        if (status.State is RunState.Completed or RunState.Failed or RunState.Stopped)
                        {
                            final[spec.Method] = status;
                            if (status.State != RunState.Completed)
                                throw new EppoException($"demo: run {status.RunId} ended {status.State}: {status.Reason}");
                            task.StopTask();
                        }
                    }
                    await Task.Delay(500, cancellation);
                }
            });
        console.MarkupLine($"seed {seed}: {specs.Count} runs trained in {clock.Elapsed:mm\\:ss}");
        return final;
    }

    /// <summary>A trained run as evaluation needs it: its whole history and local directories of its models and checkpoints.</summary>
    sealed record TrainedRun(RunSpec Spec, RunStatus Status, IReadOnlyList<IterationMetrics> History, string SftPath,
        IReadOnlyList<string> RewardPaths, IReadOnlyList<(int Iteration, string Actor)> Checkpoints);

    async Task<TrainedRun> LocateAsync(RunSpec spec, RunStatus status)
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
        return new TrainedRun(spec, status, history, await localPath(status.SftPath!), rewards, checkpoints);
    }

    (SeedBaseline, List<MethodRunResult>) Evaluate(int seed, IReadOnlyList<TrainedRun> runs, int evalPrompts)
    {
        var clock = Stopwatch.StartNew();
        // The proxy every policy is scored by in the report: the first run on the plain Bradley–Terry reward model(s).
        var first = runs.FirstOrDefault(r => r.Spec.TrainingMethod.RewardModel == RewardModelKind.BradleyTerry) ?? runs[0];
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
                var method = run.Spec.Method;
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
