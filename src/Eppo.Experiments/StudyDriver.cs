using System.Diagnostics;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Grains.Interfaces;
using Spectre.Console;

namespace Eppo.Experiments;

/// <summary>
/// The one study driver (`eppo demo`, `eppo tune`, `eppo study`): runs a <see cref="StudyPlan{TSeed}"/> through the
/// Orleans pipeline seed by seed — the runs of a seed train concurrently and share its SFT policy and reward models —
/// then hands each seed's trained runs to the plan's evaluation. Where models and checkpoints are comes from the runs'
/// status and history; <paramref name="localPath"/> turns such a location into a local directory (the silo's
/// artifact store). Progress goes to <paramref name="console"/>.
/// </summary>
public sealed class StudyDriver(IClusterClient client, Func<string, Task<string>> localPath, IAnsiConsole console)
{
    /// <summary>One evaluation per seed, in the plan's seed order. Every spec is checked before anything trains.</summary>
    public async Task<IReadOnlyList<TSeed>> RunAsync<TSeed>(StudyPlan<TSeed> plan, CancellationToken cancellation)
    {
        var runs = plan.Runs.Select(r => r with { Spec = TrainingTasks.Validate(r.Spec.Validate(plan.Name), plan.Name) }).ToArray();
        var results = new List<TSeed>();
        foreach (var seed in plan.Seeds)
        {
            var seedRuns = runs.Where(r => r.Spec.Seed == seed).ToArray();
            var duplicate = seedRuns.GroupBy(r => r.Label).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) throw new EppoException($"{plan.Name}: two runs labelled '{duplicate.Key}' with seed {seed}");
            var statuses = await TrainAsync(plan.Name, seed, seedRuns, cancellation);
            var trained = new List<TrainedRun>();
            foreach (var run in seedRuns) trained.Add(await LocateAsync(plan.Name, run, statuses[run.Label]));
            results.Add(await plan.Evaluation.EvaluateAsync(seed, trained, console, cancellation));
        }
        return results;
    }

    async Task<Dictionary<string, RunStatus>> TrainAsync(string study, int seed, IReadOnlyList<PlannedRun> runs, CancellationToken cancellation)
    {
        var ids = runs.ToDictionary(r => r.Label, r => RunIds.New(r.Spec.Name));
        foreach (var run in runs) await client.GetGrain<IRunGrain>(ids[run.Label]).StartAsync(run.Spec.ToJson());
        var clock = Stopwatch.StartNew();
        var labels = runs.ToDictionary(r => ids[r.Label], r => r.Label);
        IReadOnlyDictionary<string, RunStatus> final = new Dictionary<string, RunStatus>();
        await console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var tasks = runs.ToDictionary(r => ids[r.Label], r => progress.AddTask($"seed {seed} {Markup.Escape(r.Label),-8}", maxValue: r.Spec.Iterations));
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
                        throw new EppoException($"{study}: run {status.RunId} ended {status.State}: {status.Reason}");
                    tasks[status.RunId].StopTask();
                }, cancellation);
            });
        console.MarkupLine($"seed {seed}: {runs.Count} runs trained in {clock.Elapsed:mm\\:ss}");
        return runs.ToDictionary(r => r.Label, r => final[ids[r.Label]]);
    }

    async Task<TrainedRun> LocateAsync(string study, PlannedRun run, RunStatus status)
    {
        var grain = client.GetGrain<IRunGrain>(status.RunId);
        var history = new List<IterationMetrics>();
        for (IReadOnlyList<IterationMetrics> page; (page = await grain.GetHistoryAsync(history.Count, 1000)).Count > 0;) history.AddRange(page);
        if (history.Count != status.Iteration)
            throw new EppoException($"{study}: run {status.RunId} has {history.Count} iterations of history, expected {status.Iteration}");
        var checkpoints = new List<(int, string)>();
        foreach (var m in history.Where(m => m.Checkpoint is not null))
            checkpoints.Add((m.Iteration + 1, Path.Combine(await localPath(m.Checkpoint!), "actor")));
        var rewards = new List<string>();
        foreach (var path in status.RewardPaths) rewards.Add(path == RewardSpec.Gold ? path : await localPath(path));
        return new TrainedRun(run.Spec, run.Label, status, history, await localPath(status.SftPath!), rewards, checkpoints);
    }
}
