using Eppo.Contracts.Messages;
using System.Diagnostics;
using Eppo.Core;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Evaluation;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;
using Eppo.Grains.Interfaces;
using Eppo.Silo;

namespace Eppo.Cli.Bench;

/// <summary>
/// Wall time per iteration through Orleans against the in-process driver on the same work, EPPO against PPO once the
/// SFT-energy cache is warm, and what regenerating SFT responses every step (the official code) would add. The three
/// ways run interleaved, round by round, so a slow spell of a busy machine hits all of them; each ratio is taken
/// within a round and summarised over rounds by its median and interquartile range.
/// </summary>
public static class PipelineBenchmark
{
    public sealed record Result(
        string Machine, int Threads, int Rounds, int Iterations, int BatchSize, string Model,
        Spread LocalIterationMs, Spread OrleansIterationMs, Spread PpoIterationMs,
        Spread OrleansOverInProcess, Spread EppoOverPpo,
        double SftRegenerationMs, double RegenerationOverIterationRatio,
        StageMs LocalStages, StageMs OrleansStages, StageMs PpoStages,
        IReadOnlyList<RoundMs> PerRound);

    /// <summary>Median, quartiles and range over rounds.</summary>
    public sealed record Spread(double Median, double Q1, double Q3, double Min, double Max)
    {
        public static Spread Of(IReadOnlyList<double> values) => new(Stats.Quantile(values, 0.5), Stats.Quantile(values, 0.25),
            Stats.Quantile(values, 0.75), values.Min(), values.Max());
    }

    /// <summary>One round's mean milliseconds per iteration of each way.</summary>
    public sealed record RoundMs(double Local, double Orleans, double Ppo);

    /// <summary>Milliseconds per stage after the warm-up, as each pipeline measured them itself (median over rounds of each round's mean).</summary>
    public sealed record StageMs(double Rest, double Generate, double Score, double EnergyReference, double Learn, double Iteration)
    {
        static StageMs Of(IEnumerable<IterationMetrics> history)
        {
            var h = history.Skip(Warmup).ToList();
            double Ms(Func<IterationMetrics, double> pick) => h.Average(pick) * 1000;
            var iteration = Ms(m => m.IterationSeconds);
            var stages = new StageMs(0, Ms(m => m.GenerateSeconds), Ms(m => m.ScoreSeconds), Ms(m => m.EnergyReferenceSeconds), Ms(m => m.LearnSeconds), iteration);
            // What the stage clocks do not cover: prompts, the gold score, metrics assembly and the calls' own overhead.
            return stages with { Rest = iteration - stages.Generate - Math.Max(stages.Score, stages.EnergyReference) - stages.Learn };
        }

        public static StageMs Median(IEnumerable<IReadOnlyList<IterationMetrics>> rounds)
        {
            var each = rounds.Select(Of).ToArray();
            double M(Func<StageMs, double> pick) => Stats.Quantile(each.Select(pick), 0.5);
            return new(M(s => s.Rest), M(s => s.Generate), M(s => s.Score), M(s => s.EnergyReference), M(s => s.Learn), M(s => s.Iteration));
        }
    }

    internal const int Warmup = 2;

    /// <summary>Mean wall time per measured iteration of one run, with the run's own per-iteration metrics.</summary>
    internal sealed record Timed(double Ms, IReadOnlyList<IterationMetrics> History);

    /// <summary>
    /// The benchmark's spec for <paramref name="method"/>: the built-in HackBench one, or a user's spec (for example a
    /// text run on a GPT-2-small checkpoint) with the method set, its prompts cut to one batch (so every SFT reference
    /// after the first iteration is a cache hit, as in the built-in spec) and checkpoints off.
    /// </summary>
    public static RunSpec Spec(string method, RunSpec? template = null) => template is null ? BuiltIn(method) : (template with
    {
        Name = "bench-" + method,
        Method = method,
        Prompts = template.BatchSize,
        CheckpointInterval = 1000,
        Iterations = Math.Max(template.Iterations, Warmup + 3),
    }).Validate("bench");

    internal static RunSpec BuiltIn(string method) => new RunSpec
    {
        Name = "bench-" + method,
        Method = method,
        Prompts = 64,  // = batch size: from iteration 1 on every SFT reference is a cache hit
        Model = new ModelSpec { HiddenSize = 64, Layers = 2, Heads = 4, KvHeads = 4, IntermediateSize = 176 },
        Sft = new SftSpec { Steps = 50, BatchSize = 64, Examples = 2000 },  // quality is irrelevant to speed
        Reward = new RewardSpec { Pairs = 256, Epochs = 1, BatchSize = 64 },
        Iterations = 22,
        BatchSize = 64,
        MiniBatchSize = 32,
        Generators = 1,
        PromptShards = 1,
        CheckpointInterval = 1000,
        Seed = 5,
    }.Validate("bench");

    public static async Task<Result> RunAsync(int rounds, Action<string> progress, CancellationToken cancellation, RunSpec? template = null)
    {
        var root = Directory.CreateTempSubdirectory("eppo-bench-pipeline-").FullName;
        try
        {
            var ppo = Spec("ppo", template);
            var eppo = Spec("eppo", template);
            progress("training throwaway SFT and RM models");
            var models = await ComputeThreads.RunLongAsync(() => ModelPreparation.Prepare(ppo, root));

            var app = EppoSiloHost.Build(EmbeddedSilo.Settings("eppo-bench", root));
            await app.StartAsync(cancellation);
            var (local, orleans, ppoRuns) = (new List<Timed>(), new List<Timed>(), new List<Timed>());
            try
            {
                var client = app.Services.GetRequiredService<IClusterClient>();
                // Round 0 only warms up: the JIT's tiers and libtorch's allocator make the first round 1.5–1.8× slower
                // for all three ways alike.
                for (var round = 0; round <= rounds; round++)
                {
                    var name = round == 0 ? "warm-up round" : $"round {round}/{rounds}";
                    progress($"{name}: in-process driver");
                    var l = LocalIterationMs(eppo, models);
                    progress($"{name}: Orleans pipeline, eppo");
                    var o = await OrleansIterationMsAsync(client, eppo, cancellation);
                    progress($"{name}: Orleans pipeline, ppo");
                    var p = await OrleansIterationMsAsync(client, ppo, cancellation);
                    if (round == 0) continue;
                    local.Add(l);
                    orleans.Add(o);
                    ppoRuns.Add(p);
                }
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }

            progress("regenerating SFT responses per step (the official code's cost)");
            var task = TrainingTasks.For(eppo);
            var reference = ComputeThreads.Run(() => SftEnergyReference.For(models.SftPath, task.Codec, eppo));
            var prompts = task.TrainPrompts(eppo).Tokens.Take(eppo.BatchSize).ToArray();
            var regenerationMs = TimeIterations(_ => ComputeThreads.Run(() => reference.Compute(prompts)), 8);
            var perRound = local.Select((l, r) => new RoundMs(l.Ms, orleans[r].Ms, ppoRuns[r].Ms)).ToArray();
            var ppoMs = Spread.Of(perRound.Select(r => r.Ppo).ToArray());

            return new Result(Machine.Describe(), ComputeThreads.Run(TorchSharp.torch.get_num_threads), rounds, eppo.Iterations - Warmup, eppo.BatchSize,
                ModelName(eppo),
                Spread.Of(perRound.Select(r => r.Local).ToArray()), Spread.Of(perRound.Select(r => r.Orleans).ToArray()), ppoMs,
                Spread.Of(perRound.Select(r => r.Orleans / r.Local).ToArray()), Spread.Of(perRound.Select(r => r.Orleans / r.Ppo).ToArray()),
                regenerationMs, regenerationMs / ppoMs.Median,
                StageMs.Median(local.Select(t => t.History)), StageMs.Median(orleans.Select(t => t.History)), StageMs.Median(ppoRuns.Select(t => t.History)),
                perRound);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    static string ModelName(RunSpec spec) => BasePolicy(spec) is { } policy
        ? $"{spec.Task}: {Core.Checkpoints.HuggingFaceConfig.Read(Path.Combine(policy, Core.Checkpoints.HuggingFaceCheckpoint.ConfigFile)).Architecture} from {policy}, " +
          $"{Core.Checkpoints.HuggingFaceCheckpoint.Inspect(policy).Parameters:N0} parameters"
        : $"{spec.Model.Family} d={spec.Model.HiddenSize}, {spec.Model.Layers} layers";

    static string? BasePolicy(RunSpec spec) => TrainingTasks.For(spec).BasePolicy(spec);

    /// <summary>The in-process driver over the same work, every tensor call on the compute thread as in the silo.</summary>
    static Timed LocalIterationMs(RunSpec spec, PreparedModels models)
    {
        var pipeline = ComputeThreads.Run(() => new LocalPipeline(spec, models));
        var history = new List<IterationMetrics>();
        var ms = TimeIterations(i => history.Add(ComputeThreads.Run(() => pipeline.RunIteration(i))), spec.Iterations);
        ComputeThreads.Run(pipeline.Dispose);
        return new Timed(ms, history);
    }

    /// <summary>Mean wall time of the iterations after the warm-up.</summary>
    static double TimeIterations(Action<int> iteration, int count)
    {
        for (var i = 0; i < Warmup; i++) iteration(i);
        var clock = Stopwatch.StartNew();
        for (var i = Warmup; i < count; i++) iteration(i);
        return clock.Elapsed.TotalMilliseconds / (count - Warmup);
    }

    /// <summary>
    /// A whole run through the grains, timed by the run grain's own clock (status carries when it last changed, which
    /// for an iteration that writes no checkpoint is when it ended): from the end of the last warm-up iteration to the
    /// end of the one before the run's final iteration — whose checkpoint the in-process driver does not write (seconds
    /// at 124M, which over a few iterations would be counted as overhead). The run pushes its status at every change,
    /// small (no history); while a checkpoint is written, status already counts the iteration but not yet its end.
    /// </summary>
    internal static async Task<Timed> OrleansIterationMsAsync(IClusterClient client, RunSpec spec, CancellationToken cancellation)
    {
        var runId = RunIds.New(spec.Name);
        await client.GetGrain<IRunGrain>(runId).StartAsync(spec.ToJson());
        RunStatus? first = null, last = null;
        var status = await new RunWaiter(client).UntilEndedAsync(runId, s =>
        {
            if (s.State != RunState.Running || s.Stage == "checkpoint") return;
            if (first is null && s.Iteration >= Warmup) first = s;
            else if (first is not null && s.Iteration < spec.Iterations) last = s;
        }, cancellation: cancellation);
        if (status.State != RunState.Completed) throw new EppoException($"bench run ended {status.State}: {status.Reason}");
        if (first is null || first.Iteration >= spec.Iterations) throw new EppoException("bench run finished before the watch saw it running");
        // Without a status between the first and the end, the end of the run is the best clock there is.
        var end = last is not null && last.Iteration > first.Iteration ? last : status;
        var ms = (end.UpdatedAt - first.UpdatedAt).TotalMilliseconds / ((end == status ? spec.Iterations : end.Iteration) - first.Iteration);
        return new Timed(ms, status.History);
    }
}
