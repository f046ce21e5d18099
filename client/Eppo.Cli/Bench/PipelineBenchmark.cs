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
        double SftRegenerationMs, double RegenerationOverIterationRatio);

    const int Warmup = 2;

    public static RunSpec Spec(string method) => new RunSpec
    {
        Name = "bench-" + method,
        Method = method,
        Prompts = 64,  // = batch size: from iteration 1 on every SFT reference is a cache hit
        Model = new ModelSpec { HiddenSize = 64, Layers = 2, Heads = 4, KvHeads = 4, IntermediateSize = 176 },
        Sft = new SftSpec { Steps = 50, BatchSize = 64, Examples = 2000 },  // quality is irrelevant to speed
        Reward = new RewardSpec { Pairs = 256, Epochs = 1, BatchSize = 64 },
        Iterations = 12,
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
            var localMs = TimeIterations(i => local.RunIteration(i), eppo.Iterations);

            var silo = new SiloSettings
            {
                SiloPort = Commands.PortCheck.FreePort(), GatewayPort = Commands.PortCheck.FreePort(), ClusterId = "eppo-bench",
                MetricsUrl = null, DataRoot = root, LogLevel = LogLevel.Error,
            };
            var app = EppoSiloHost.Build(silo with { PrimarySiloPort = silo.SiloPort });
            await app.StartAsync(cancellation);
            double orleansMs, ppoMs, eppoMs;
            try
            {
                var client = app.Services.GetRequiredService<IClusterClient>();
                progress("Orleans pipeline: eppo");
                eppoMs = await OrleansIterationMsAsync(client, eppo, cancellation);
                progress("Orleans pipeline: ppo");
                ppoMs = await OrleansIterationMsAsync(client, ppo, cancellation);
                progress("Orleans pipeline: eppo again (order effects)");
                eppoMs = Math.Min(eppoMs, await OrleansIterationMsAsync(client, eppo, cancellation));
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
                regenerationMs, regenerationMs / ppoMs);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Median wall time of iterations after the warm-up.</summary>
    static double TimeIterations(Action<int> iteration, int count)
    {
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            iteration(i);
            if (i >= Warmup) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Median(times);
    }

    /// <summary>A whole run through the grains; the wall time between consecutive iteration completions, median.</summary>
    static async Task<double> OrleansIterationMsAsync(IClusterClient client, RunSpec spec, CancellationToken cancellation)
    {
        var run = client.GetGrain<IRunGrain>(RunIds.New(spec.Name));
        await run.StartAsync(spec.ToJson());
        var seen = new Dictionary<int, double>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await run.GetStatusAsync();
            if (status is null) continue;
            seen.TryAdd(status.Iteration, clock.Elapsed.TotalMilliseconds);
            if (status.State == RunState.Completed) break;
            if (status.State is RunState.Failed or RunState.Stopped) throw new Core.EppoException($"bench run ended {status.State}: {status.Reason}");
            await Task.Delay(2, cancellation);
        }
        var gaps = Enumerable.Range(Warmup + 1, spec.Iterations - Warmup).Where(i => seen.ContainsKey(i) && seen.ContainsKey(i - 1))
            .Select(i => seen[i] - seen[i - 1]).ToList();
        return Median(gaps);
    }

    static double Median(List<double> values)
    {
        values.Sort();
        return values.Count == 0 ? double.NaN : values[values.Count / 2];
    }
}
