using System.Diagnostics;
using Eppo.Core;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Training;
using Eppo.Grains.Interfaces;
using Eppo.Silo;

namespace Eppo.Cli.Bench;

/// <summary>
/// Wall time per iteration through Orleans against the in-process driver on the same work, EPPO against PPO once the
/// SFT-energy cache is warm, and what regenerating SFT responses every step (the official code) would add.
/// </summary>
public static class PipelineBenchmark
{
    public sealed record Result(
        string Machine, int Threads, int Iterations, int BatchSize, string Model,
        double LocalIterationMs, double OrleansIterationMs, double OrleansOverheadRatio,
        double PpoIterationMs, double EppoIterationMs, double EppoOverPpoRatio,
        double SftRegenerationMs, double RegenerationOverIterationRatio,
        StageMs LocalStages, StageMs OrleansStages);

    /// <summary>Mean milliseconds per stage after the warm-up, as each pipeline measured them itself.</summary>
    public sealed record StageMs(double Generate, double Score, double EnergyReference, double Learn, double Iteration)
    {
        public static StageMs Of(IEnumerable<IterationMetrics> history)
        {
            var h = history.Skip(Warmup).ToList();
            return new(h.Average(m => m.GenerateSeconds) * 1000, h.Average(m => m.ScoreSeconds) * 1000,
                h.Average(m => m.EnergyReferenceSeconds) * 1000, h.Average(m => m.LearnSeconds) * 1000, h.Average(m => m.IterationSeconds) * 1000);
        }
    }

    const int Warmup = 2;
    const int Rounds = 4;

    /// <summary>Mean wall time per measured iteration of one run, with the run's own per-iteration metrics.</summary>
    sealed record Timed(double Ms, IReadOnlyList<IterationMetrics> History)
    {
        public static Timed Faster(Timed? best, Timed next) => best is null || next.Ms < best.Ms ? next : best;
    }

    static Timed? Counted(int round, Timed? best, Timed next) => round == 0 ? best : Timed.Faster(best, next);

    public static RunSpec Spec(string method) => new RunSpec
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

    public static async Task<Result> RunAsync(Action<string> progress, CancellationToken cancellation)
    {
        var root = Directory.CreateTempSubdirectory("eppo-bench-pipeline-").FullName;
        try
        {
            var ppo = Spec("ppo");
            var eppo = Spec("eppo");
            progress("training throwaway SFT and RM models");
            var models = await ComputeThreads.RunLongAsync(() => ModelPreparation.Prepare(ppo, root));

            var silo = new SiloSettings
            {
                SiloPort = Commands.PortCheck.FreePort(), GatewayPort = Commands.PortCheck.FreePort(), ClusterId = "eppo-bench",
                MetricsUrl = null, DataRoot = root, LogLevel = LogLevel.Error,
            };
            var app = EppoSiloHost.Build(silo with { PrimarySiloPort = silo.SiloPort });
            await app.StartAsync(cancellation);
            Timed? local = null, orleans = null, ppoRun = null;
            try
            {
                var client = app.Services.GetRequiredService<IClusterClient>();
                // Rounds interleave the three ways so that a slow spell of a busy machine hits all of them; the fastest
                // round of each counts. Round 0 only warms up: the JIT's tiers and libtorch's allocator make the first
                // round 1.5–1.8× slower for all three ways alike.
                for (var round = 0; round <= Rounds; round++)
                {
                    progress($"{RoundName(round)}: in-process driver");
                    local = Counted(round, local, LocalIterationMs(eppo, models));
                    progress($"{RoundName(round)}: Orleans pipeline, eppo");
                    orleans = Counted(round, orleans, await OrleansIterationMsAsync(client, eppo, cancellation));
                    progress($"{RoundName(round)}: Orleans pipeline, ppo");
                    ppoRun = Counted(round, ppoRun, await OrleansIterationMsAsync(client, ppo, cancellation));
                }
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }

            progress("regenerating SFT responses per step (the official code's cost)");
            var task = TrainingTasks.For(eppo);
            var reference = ComputeThreads.Run(() => new SftEnergyReference(ModelPreparation.LoadSft(models.SftPath, eppo), task.Codec, eppo.MaxNewTokens));
            var prompts = task.TrainPrompts(eppo).Tokens.Take(eppo.BatchSize).ToArray();
            var regenerationMs = TimeIterations(_ => ComputeThreads.Run(() => reference.Compute(prompts)), 8);

            return new Result(Machine.Describe(), ComputeThreads.Run(TorchSharp.torch.get_num_threads), eppo.Iterations - Warmup, eppo.BatchSize,
                $"llama d={eppo.Model.HiddenSize}, {eppo.Model.Layers} layers",
                local!.Ms, orleans!.Ms, orleans.Ms / local.Ms, ppoRun!.Ms, orleans.Ms, orleans.Ms / ppoRun.Ms,
                regenerationMs, regenerationMs / ppoRun.Ms, StageMs.Of(local.History), StageMs.Of(orleans.History));
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    static string RoundName(int round) => round == 0 ? "warm-up round" : $"round {round}/{Rounds}";

    /// <summary>The in-process driver over the same work, every tensor call on the compute thread as in the silo.</summary>
    static Timed LocalIterationMs(RunSpec spec, ModelPreparation.Result models)
    {
        var pipeline = ComputeThreads.Run(() => new LocalPipeline(spec, models));
        var history = new List<IterationMetrics>();
        var ms = TimeIterations(i => history.Add(ComputeThreads.Run(() => pipeline.RunIteration(i))), spec.Iterations);
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
    /// A whole run through the grains, timed by the run grain's own clock: from the end of the first iteration after the
    /// warm-up that a poll sees to completion (status carries when it last changed). Polls are sparse because each one
    /// costs the silo a status message with the run's history: at 20 ms they slowed the iterations they were timing.
    /// </summary>
    static async Task<Timed> OrleansIterationMsAsync(IClusterClient client, RunSpec spec, CancellationToken cancellation)
    {
        var run = client.GetGrain<IRunGrain>(RunIds.New(spec.Name));
        await run.StartAsync(spec.ToJson());
        RunStatus? first = null;
        while (true)
        {
            await Task.Delay(250, cancellation);
            var status = await run.GetStatusAsync();
            if (status?.State is RunState.Failed or RunState.Stopped) throw new EppoException($"bench run ended {status.State}: {status.Reason}");
            if (status?.State == RunState.Completed)
            {
                if (first is null || first.Iteration >= spec.Iterations) throw new EppoException("bench run finished before a poll saw it running");
                var ms = (status.UpdatedAt - first.UpdatedAt).TotalMilliseconds / (spec.Iterations - first.Iteration);
                return new Timed(ms, status.History);
            }
            if (first is null && status?.State == RunState.Running && status.Iteration >= Warmup) first = status;
        }
    }
}
