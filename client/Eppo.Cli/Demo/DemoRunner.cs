using System.Diagnostics;
using Eppo.Core;
using Eppo.Core.Evaluation;
using Eppo.Core.Runs;
using Eppo.Core.Training;
using Eppo.Grains.Interfaces;
using Spectre.Console;

namespace Eppo.Cli.Demo;

/// <summary>
/// Runs the demo's specs through the Orleans pipeline of an in-process silo, seed by seed (the methods of a seed run
/// concurrently and share its SFT policy and proxy RM), then evaluates every checkpoint on held-out prompts.
/// </summary>
public sealed class DemoRunner(IClusterClient client, string dataRoot, IAnsiConsole console)
{
    public async Task<DemoInputs> RunAsync(bool quick, IReadOnlyList<int> seeds, IReadOnlyList<string> methods, string command, int evalPrompts,
        Func<RunSpec, RunSpec> adjust, CancellationToken cancellation)
    {
        var specs = DemoPlan.Specs(quick, seeds, methods).Select(s => adjust(s).Validate("demo")).ToArray();
        var baselines = new List<SeedBaseline>();
        var results = new List<MethodRunResult>();
        foreach (var seed in seeds)
        {
            var seedSpecs = specs.Where(s => s.Seed == seed).ToArray();
            var statuses = await TrainAsync(seed, seedSpecs, cancellation);
            var (baseline, seedResults) = await ComputeThreads.RunAsync(() => Evaluate(seed, seedSpecs, statuses, evalPrompts));
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
                                throw new Core.EppoException($"demo: run {status.RunId} ended {status.State}: {status.Reason}");
                            task.StopTask();
                        }
                    }
                    await Task.Delay(500, cancellation);
                }
            });
        console.MarkupLine($"seed {seed}: {specs.Count} runs trained in {clock.Elapsed:mm\\:ss}");
        return final;
    }

    (SeedBaseline, List<MethodRunResult>) Evaluate(int seed, IReadOnlyList<RunSpec> specs, IReadOnlyDictionary<string, RunStatus> statuses, int evalPrompts)
    {
        var clock = Stopwatch.StartNew();
        var spec = specs[0];
        var models = ModelPreparation.Prepare(spec, dataRoot); // cached: only locates the trained models
        var codec = TaskCodec.HackBench();
        var sft = ModelPreparation.LoadSft(models.SftPath, spec);
        using var evaluator = new PolicyEvaluator(sft, ModelPreparation.RewardFunction(models.RewardPath, codec), codec,
            PolicyEvaluator.HeldOutPrompts(evalPrompts, seed), new EvaluationOptions(MaxNewTokens: spec.MaxNewTokens));
        var baseline = new SeedBaseline(seed, evaluator.EvaluateSft(), models.RewardHeldOutAccuracy);
        var results = new List<MethodRunResult>();
        console.Status().Start($"seed {seed}: evaluating checkpoints on {evalPrompts} held-out prompts", _ =>
        {
            foreach (var s in specs)
            {
                var status = statuses[s.Method];
                var runDir = Path.Combine(dataRoot, status.RunId, "checkpoints");
                var checkpoints = Directory.GetDirectories(runDir, "iter-*").Order(StringComparer.Ordinal)
                    .Select(dir => new CheckpointEvaluation(int.Parse(Path.GetFileName(dir)["iter-".Length..]),
                        evaluator.Evaluate(Path.Combine(dir, "actor"), $"{s.Method}@{Path.GetFileName(dir)}")))
                    .ToList();
                var final = checkpoints.Last(c => c.Iteration == status.Iteration).Evaluation;
                results.Add(new MethodRunResult(s.Method, seed, status.History, checkpoints, final));
            }
        });
        console.MarkupLine($"seed {seed}: evaluation done in {clock.Elapsed:mm\\:ss}");
        return (baseline, results);
    }
}
