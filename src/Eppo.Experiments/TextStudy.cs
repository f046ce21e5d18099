using System.Diagnostics;
using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.Training;
using Eppo.Grains.Interfaces;
using Eppo.Experiments.Judges;

namespace Eppo.Experiments;

/// <summary>
/// `eppo study`: the paper's comparison on a text spec. Per seed, every method trains through the cluster (sharing
/// the seed's SFT policy and proxy reward model); then, on the held-out prompts and with one judge, each method's
/// final policy is judged against SFT and against EPPO, and every checkpoint against SFT for the win-rate curve.
/// Every answer is also scored by the proxy, so a judged loss that the proxy scored as a gain is a hacking answer
/// (Observation 2 compares their energy with the rest).
/// </summary>
public sealed class TextStudy(IClusterClient client, Func<string, Task<string>> localPath, Action<string> progress)
{
    public const string Eppo = "eppo";

    /// <summary>One judged answer of a method against SFT, with both energies and both proxy scores.</summary>
    public sealed record Answer(string Method, int Seed, JudgeOutcome Outcome, double Energy, double SftEnergy, double Proxy, double SftProxy)
    {
        /// <summary>The proxy prefers it, the judge does not: the policy hacked the proxy on this prompt.</summary>
        public bool Hacking => Outcome == JudgeOutcome.Lose && Proxy > SftProxy;
    }

    public sealed record MethodSeed(string Method, int Seed, TextEvaluation.Result VsSft, TextEvaluation.Result? VsEppo,
        IReadOnlyList<(int Iteration, double WinRate)> WinRateCurve, IReadOnlyList<IterationMetrics> History);

    public sealed record Result(string Judge, IReadOnlyList<int> Seeds, IReadOnlyList<string> Methods, IReadOnlyList<MethodSeed> Runs,
        IReadOnlyList<Answer> Answers, double Seconds);

    public async Task<Result> RunAsync(RunSpec template, IReadOnlyList<string> methods, IReadOnlyList<int> seeds,
        Func<RunSpec, DecoderModel, IPairJudge> judgeFor, int prompts, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var runs = new List<MethodSeed>();
        var answers = new List<Answer>();
        string? judgeName = null;
        foreach (var seed in seeds)
        {
            var specs = methods.Select(m => TrainingTasks.Validate((template with { Method = m, Seed = seed, Name = $"{template.Name}-{m}-s{seed}" }).Validate("study"), "study")).ToList();
            var statuses = await TrainAsync(specs, cancellation);
            var first = statuses[methods[0]];
            var spec = specs[0];
            var site = EnergySites.Parse(spec.ProbeSite);
            using var sft = ModelStore.Load(await localPath(first.SftPath!), site).Model;
            var (proxyModel, extra) = ModelStore.Load(await localPath(first.RewardPaths[0]), site);
            using var proxy = new RewardModelScorer(proxyModel, TrainingTasks.For(spec).Codec,
                new RewardNormalization(extra.GetValueOrDefault("norm_mean", 0), extra.GetValueOrDefault("norm_std", 1)));
            using var judge = judgeFor(spec, sft);
            judgeName = judge.Name;
            var finals = new Dictionary<string, DecoderModel>();
            try
            {
                foreach (var s in specs)
                    finals[s.Method] = ModelStore.Load(Actor(await localPath(statuses[s.Method].LastCheckpoint!)), site).Model;
                foreach (var s in specs)
                {
                    progress($"seed {seed}: judging {s.Method} against SFT");
                    var vsSft = await TextEvaluation.RunAsync(s, finals[s.Method], sft, judge, prompts, null, cancellation);
                    answers.AddRange(await ScoredAsync(s.Method, seed, vsSft, spec, proxy));
                    TextEvaluation.Result? vsEppo = null;
                    if (s.Method != Eppo && finals.TryGetValue(Eppo, out var eppo))
                    {
                        progress($"seed {seed}: judging eppo against {s.Method}");
                        vsEppo = await TextEvaluation.RunAsync(s, eppo, finals[s.Method], judge, prompts, null, cancellation);
                    }
                    var history = await client.GetGrain<IRunGrain>(statuses[s.Method].RunId).GetHistoryAsync(0, 100_000);
                    runs.Add(new MethodSeed(s.Method, seed, vsSft, vsEppo, await CurveAsync(s, history, sft, judge, prompts, cancellation), history));
                }
            }
            finally
            {
                foreach (var model in finals.Values) model.Dispose();
            }
        }
        return new Result(judgeName ?? "", seeds, methods, runs, answers, clock.Elapsed.TotalSeconds);
    }

    static string Actor(string checkpoint) => Directory.Exists(Path.Combine(checkpoint, "actor")) ? Path.Combine(checkpoint, "actor") : checkpoint;

    async Task<Dictionary<string, RunStatus>> TrainAsync(IReadOnlyList<RunSpec> specs, CancellationToken cancellation)
    {
        var ids = specs.ToDictionary(s => s.Method, s => RunIds.New(s.Name));
        foreach (var spec in specs) await client.GetGrain<IRunGrain>(ids[spec.Method]).StartAsync(spec.ToJson());
        var done = await new RunWaiter(client).UntilAllEndedAsync(ids.Values, ended: status =>
        {
            if (status.State != RunState.Completed) throw new EppoException($"study: run {status.RunId} ended {status.State}: {status.Reason}");
            progress($"{status.RunId}: completed");
        }, cancellation: cancellation);
        return ids.ToDictionary(kv => kv.Key, kv => done[kv.Value]);
    }

    /// <summary>Both answers of every judged prompt scored by the proxy (standardised as in training).</summary>
    static async Task<IEnumerable<Answer>> ScoredAsync(string method, int seed, TextEvaluation.Result result, RunSpec spec, RewardModelScorer proxy)
    {
        var codec = TrainingTasks.For(spec).Codec;
        var prompts = result.Samples.Select(s => codec.EncodePrompt(s.Prompt)).ToArray();
        var (ours, theirs) = await ComputeThreads.RunAsync(() => (
            proxy.Score(prompts, result.Samples.Select(s => codec.EncodeResponse(s.Policy)).ToArray()),
            proxy.Score(prompts, result.Samples.Select(s => codec.EncodeResponse(s.Baseline)).ToArray())));
        return result.Samples.Select((s, i) => new Answer(method, seed, s.Outcome, s.PolicyEnergy, s.BaselineEnergy, ours[i], theirs[i]));
    }

    /// <summary>Win rate against SFT (win + ½ tie, of the pairs with a verdict) at every checkpoint of the run.</summary>
    async Task<IReadOnlyList<(int Iteration, double WinRate)>> CurveAsync(RunSpec spec, IReadOnlyList<IterationMetrics> history, DecoderModel sft,
        IPairJudge judge, int prompts, CancellationToken cancellation)
    {
        var curve = new List<(int, double)>();
        foreach (var m in history.Where(m => m.Checkpoint is not null))
        {
            using var policy = ModelStore.Load(Actor(await localPath(m.Checkpoint!)), EnergySites.Parse(spec.ProbeSite)).Model;
            var r = await TextEvaluation.RunAsync(spec, policy, sft, judge, prompts, null, cancellation);
            var judged = r.Win + r.Tie + r.Lose;
            curve.Add((m.Iteration + 1, judged == 0 ? double.NaN : (r.Win + 0.5 * r.Tie) / judged));
        }
        return curve;
    }
}
