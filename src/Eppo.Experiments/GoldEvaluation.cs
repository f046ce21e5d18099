using System.Diagnostics;
using Eppo.Core;
using Eppo.Core.Evaluation;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;
using Spectre.Console;

namespace Eppo.Experiments;

/// <summary>One seed of a gold-judged study: the SFT baseline and every run's evaluations.</summary>
public sealed record GoldSeed(SeedBaseline Baseline, IReadOnlyList<MethodRunResult> Runs);

/// <summary>
/// The evaluation of the demo and of tuning, for a task with a gold judge (HackBench): every checkpoint of every run
/// sampled on the seed's first <paramref name="prompts"/> held-out prompts with the same noise, each answer given the
/// task's gold verdict and the proxy's score (<see cref="PolicyEvaluator"/>, the proxy of <see cref="TrainedRun.ProxyOf"/>);
/// the report pairs them afterwards. The SFT policy is also sampled <paramref name="bestOfN"/> times per prompt for its
/// best-of-n curve on the proxy (0: not).
/// </summary>
public sealed class GoldEvaluation(int prompts, int bestOfN = GoldEvaluation.BestOfNSamples) : IStudyEvaluation<GoldSeed>
{
    /// <summary>Gao et al.'s best-of-n curve goes to n = 64 (KL ≈ 3.2 nats).</summary>
    public const int BestOfNSamples = 64;

    public int Prompts => prompts;

    public Task<GoldSeed> EvaluateAsync(int seed, IReadOnlyList<TrainedRun> runs, IAnsiConsole console, CancellationToken cancellation) =>
        ComputeThreads.RunAsync(() => Evaluate(seed, runs, console));

    GoldSeed Evaluate(int seed, IReadOnlyList<TrainedRun> runs, IAnsiConsole console)
    {
        var clock = Stopwatch.StartNew();
        var first = TrainedRun.ProxyOf(runs);
        var task = TrainingTasks.For(first.Spec);
        using var sft = ModelPreparation.LoadSft(first.SftPath, first.Spec);
        var proxy = RewardSources.Load(first.RewardPaths, first.Spec, task);
        using var owned = proxy as IDisposable;
        using var evaluator = PolicyEvaluator.For(task, sft, proxy, prompts, seed, new EvaluationOptions(MaxNewTokens: first.Spec.MaxNewTokens));
        var sftEvaluation = evaluator.EvaluateSft();
        var curve = bestOfN > 0 ? BestOfN.Curve(evaluator.SampleScores(sft, bestOfN)) : [];
        var baseline = new SeedBaseline(seed, sftEvaluation, first.Status.RewardHeldOutAccuracy, curve);
        var results = new List<MethodRunResult>();
        console.Status().Start($"seed {seed}: evaluating checkpoints on {prompts} held-out prompts", _ =>
        {
            foreach (var run in runs)
            {
                var label = run.Label;
                var checkpoints = run.Checkpoints
                    .Select(c => new CheckpointEvaluation(c.Iteration, evaluator.Evaluate(c.Actor, $"{label}@iter-{c.Iteration:D6}")))
                    .ToList();
                var final = checkpoints.Last(c => c.Iteration == run.Status.Iteration).Evaluation;
                results.Add(new MethodRunResult(label, seed, run.History, checkpoints, final, run.Status.RewardModels));
            }
        });
        console.MarkupLine($"seed {seed}: evaluation done in {clock.Elapsed:mm\\:ss}");
        return new GoldSeed(baseline, results);
    }
}
