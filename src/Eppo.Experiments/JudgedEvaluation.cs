using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Evaluation;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;
using Spectre.Console;

namespace Eppo.Experiments;

/// <summary>One seed of a judged study: the judge's name, each run's comparisons, every answer judged against SFT.</summary>
public sealed record JudgedSeed(string Judge, IReadOnlyList<JudgedStudy.MethodSeed> Runs, IReadOnlyList<JudgedStudy.Answer> Answers);

/// <summary>
/// The evaluation of `eppo study`: with one of the task's judges (<paramref name="judgeFor"/>: the seed's spec and SFT
/// policy → the judge), each run's final policy against SFT and against EPPO's, every checkpoint against SFT, on the
/// first <paramref name="prompts"/> held-out prompts (<see cref="JudgedComparison"/>); every answer also scored by
/// the proxy of <see cref="TrainedRun.ProxyOf"/>, standardised as in training.
/// </summary>
public sealed class JudgedEvaluation(Func<RunSpec, DecoderModel, IPairJudge> judgeFor, int prompts) : IStudyEvaluation<JudgedSeed>
{
    public async Task<JudgedSeed> EvaluateAsync(int seed, IReadOnlyList<TrainedRun> runs, IAnsiConsole console, CancellationToken cancellation)
    {
        var first = TrainedRun.ProxyOf(runs);
        var spec = first.Spec;
        var task = TrainingTasks.For(spec);
        var site = EnergySites.Parse(spec.ProbeSite);
        using var sft = ModelStore.Load(first.SftPath, site).Model;
        var proxy = RewardSources.Load(first.RewardPaths, spec, task);
        using var owned = proxy as IDisposable;
        using var judge = judgeFor(spec, sft);
        var finals = new Dictionary<string, DecoderModel>();
        var results = new List<JudgedStudy.MethodSeed>();
        var answers = new List<JudgedStudy.Answer>();
        try
        {
            foreach (var run in runs) finals[run.Label] = ModelStore.Load(run.FinalActor, site).Model;
            foreach (var run in runs)
            {
                console.MarkupLine(Markup.Escape($"seed {seed}: judging {run.Label} against SFT"));
                var vsSft = await JudgedComparison.RunAsync(run.Spec, finals[run.Label], sft, judge, prompts, null, cancellation);
                answers.AddRange(await ScoredAsync(run.Label, seed, vsSft, task.Codec, proxy));
                JudgedComparison.Result? vsEppo = null;
                if (run.Label != JudgedStudy.Eppo && finals.TryGetValue(JudgedStudy.Eppo, out var eppo))
                {
                    console.MarkupLine(Markup.Escape($"seed {seed}: judging eppo against {run.Label}"));
                    vsEppo = await JudgedComparison.RunAsync(run.Spec, eppo, finals[run.Label], judge, prompts, null, cancellation);
                }
                results.Add(new JudgedStudy.MethodSeed(run.Label, seed, vsSft, vsEppo, await CurveAsync(run, sft, judge, cancellation), run.History));
            }
        }
        finally
        {
            foreach (var model in finals.Values) model.Dispose();
        }
        return new JudgedSeed(judge.Name, results, answers);
    }

    /// <summary>Both answers of every judged prompt scored by the proxy.</summary>
    static async Task<IEnumerable<JudgedStudy.Answer>> ScoredAsync(string method, int seed, JudgedComparison.Result result, TaskCodec codec, IRewardFunction proxy)
    {
        var prompts = result.Samples.Select(s => codec.EncodePrompt(s.Prompt)).ToArray();
        var (ours, theirs) = await ComputeThreads.RunAsync(() => (
            proxy.Score(prompts, result.Samples.Select(s => codec.EncodeResponse(s.Policy)).ToArray()),
            proxy.Score(prompts, result.Samples.Select(s => codec.EncodeResponse(s.Baseline)).ToArray())));
        return result.Samples.Select((s, i) => new JudgedStudy.Answer(method, seed, s.Outcome, s.PolicyEnergy, s.BaselineEnergy, ours[i], theirs[i]));
    }

    /// <summary>Win rate against SFT (win + ½ tie, of the pairs with a verdict) at every checkpoint of the run.</summary>
    async Task<IReadOnlyList<(int Iteration, double WinRate)>> CurveAsync(TrainedRun run, DecoderModel sft, IPairJudge judge, CancellationToken cancellation)
    {
        var curve = new List<(int, double)>();
        foreach (var (iteration, actor) in run.Checkpoints)
        {
            using var policy = ModelStore.Load(actor, EnergySites.Parse(run.Spec.ProbeSite)).Model;
            var r = await JudgedComparison.RunAsync(run.Spec, policy, sft, judge, prompts, null, cancellation);
            curve.Add((iteration, r.Counts.WinRate));
        }
        return curve;
    }
}
