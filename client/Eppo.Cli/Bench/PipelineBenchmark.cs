using System.Diagnostics;
using Eppo.Core.Runs;
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
            var models = ModelPreparation.Prepare(ppo, root);

            progress("in-process driver");
            var local = new LocalPipeline(eppo, models);
            var localHistory = new List<IterationMetrics>();
            var localMs = TimeIterations(i => localHistory.Add(local.RunIteration(i)), eppo.Iterations);

            var silo = new SiloSettings
            {
                SiloPort = Commands.PortCheck.FreePort(), GatewayPort = Commands.PortCheck.FreePort(), ClusterId = "eppo-bench",
                MetricsUrl = null, DataRoot = root, LogLevel = LogLevel.Error,
            };
            var app = EppoSiloHost.Build(silo with { PrimarySiloPort = silo.SiloPort });
            await app.StartAsync(cancellation);
            double orleansMs, ppoMs, eppoMs;
            StageMs orleansStages;
            try
            {
                var client = app.Services.GetRequiredService<IClusterClient>();
                progress("Orleans pipeline: eppo");
                (eppoMs, var eppoHistory) = await OrleansIterationMsAsync(client, eppo, cancellation);
                orleansStages = StageMs.Of(eppoHistory);
                progress("Orleans pipeline: ppo");
                (ppoMs, _) = await OrleansIterationMsAsync(client, ppo, cancellation);
                progress("Orleans pipeline: eppo again (order effects)");
                eppoMs = Math.Min(eppoMs, (await OrleansIterationMsAsync(client, eppo, cancellation)).Ms);
                orleansMs = eppoMs;
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }

            progress("regenerating SFT responses per step (the official code's cost)");
            var codec = TaskCodec.HackBench();
            var reference = new SftEnergyReference(ModelPreparation.LoadSft(models.SftPath, eppo), codec, eppo.MaxNewTokens);
            var prompts = PromptSet.ForRun(eppo, codec).Tokens.Take(eppo.BatchSize).ToArray();
            var regenerationMs = TimeIterations(_ => reference.Compute(prompts), 8);

            return new Result(Machine.Describe(), TorchSharp.torch.get_num_threads(), eppo.Iterations - Warmup, eppo.BatchSize,
                $"llama d={eppo.Model.HiddenSize}, {eppo.Model.Layers} layers",
                localMs, orleansMs, orleansMs / localMs, ppoMs, eppoMs, eppoMs / ppoMs,
                regenerationMs, regenerationMs / ppoMs, StageMs.Of(localHistory), orleansStages);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
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
    /// A whole run through the grains: wall time from the end of the warm-up iterations to completion, per iteration.
    /// Polls status every 20 ms (each poll costs the silo a little, so not faster).
    /// </summary>
    static async Task<(double Ms, IReadOnlyList<IterationMetrics> History)> OrleansIterationMsAsync(IClusterClient client, RunSpec spec,
        CancellationToken cancellation)
    {
        var run = client.GetGrain<IRunGrain>(RunIds.New(spec.Name));
        await run.StartAsync(spec.ToJson());
        Stopwatch? clock = null;
        while (true)
        {
            var status = await run.GetStatusAsync();
            if (status is not null && clock is null && status.Iteration >= Warmup) clock = Stopwatch.StartNew();
            if (status?.State == RunState.Completed) return (clock!.Elapsed.TotalMilliseconds / (spec.Iterations - Warmup), status.History);
            if (status?.State is RunState.Failed or RunState.Stopped) throw new Core.EppoException($"bench run ended {status.State}: {status.Reason}");
            await Task.Delay(20, cancellation);
        }
    }
}
