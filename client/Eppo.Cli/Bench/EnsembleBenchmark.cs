using Eppo.Contracts.Messages;
using System.Diagnostics;
using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;
using Eppo.Grains.Interfaces;
using Eppo.Silo;
using Spread = Eppo.Cli.Bench.PipelineBenchmark.Spread;

namespace Eppo.Cli.Bench;

/// <summary>
/// What an ensemble's orchestration costs (`eppo bench pipeline --method erm-mean`). Training: the K members through
/// their trainer grains on an embedded silo, against the same K trainings one after another in process. Scoring: the
/// score stage of an Orleans run (K members × scorer grains, in parallel) against the in-process driver scoring the
/// same batches member by member. Each round has its own seed, so nothing is cached from an earlier round; the SFT
/// policy is trained beforehand and not timed.
/// </summary>
public static class EnsembleBenchmark
{
    public sealed record Result(string Machine, int Threads, int ComputeThreads, string Method, int Members, int Rounds, int Pairs,
        Spread ClusterTrainingSeconds, Spread SequentialTrainingSeconds, Spread TrainingRatio,
        Spread ClusterScoreMs, Spread InProcessScoreMs, Spread ScoringRatio, IReadOnlyList<Round> PerRound);

    public sealed record Round(int Seed, double ClusterTrainingSeconds, double SequentialTrainingSeconds, double ClusterScoreMs, double InProcessScoreMs);

    const int Warmup = 2;

    public static RunSpec Spec(string method, int seed) => new RunSpec
    {
        Name = "bench-" + method,
        Method = method,
        Prompts = 64,
        Model = new ModelSpec { HiddenSize = 64, Layers = 2, Heads = 4, KvHeads = 4, IntermediateSize = 176 },
        Sft = new SftSpec { Steps = 50, BatchSize = 64, Examples = 2000 },
        Reward = new RewardSpec { Pairs = 4000, Epochs = 1, BatchSize = 64 },
        Iterations = 12,
        BatchSize = 64,
        MiniBatchSize = 32,
        Generators = 1,
        PromptShards = 1,
        CheckpointInterval = 1000,
        Seed = seed,
    }.Validate("bench");

    /// <param name="computeThreads">The embedded silo's compute threads: 1 shows the grains' overhead alone; the demo's 2 let members score in parallel.</param>
    public static async Task<Result> RunAsync(string method, int rounds, int computeThreads, Action<string> progress, CancellationToken cancellation)
    {
        var root = Directory.CreateTempSubdirectory("eppo-bench-ensemble-").FullName;
        var (sequentialRoot, clusterRoot) = (Path.Combine(root, "sequential"), Path.Combine(root, "cluster"));
        try
        {
            var app = EppoSiloHost.Build(EmbeddedSilo.Settings("eppo-bench-ensemble", clusterRoot) with { ComputeThreads = computeThreads });
            await app.StartAsync(cancellation);
            var results = new List<Round>();
            try
            {
                var client = app.Services.GetRequiredService<IClusterClient>();
                // Round 0 warms up the JIT and libtorch's allocator; it is not reported.
                for (var round = 0; round <= rounds; round++)
                {
                    var spec = Spec(method, 100 + round);
                    var name = round == 0 ? "warm-up round" : $"round {round}/{rounds}";
                    progress($"{name}: SFT policy (not timed)");
                    var (sft, _) = await ComputeThreads.RunLongAsync(() => ModelPreparation.PrepareSft(spec, sequentialRoot));
                    CopyDirectory(sft, ModelPreparation.SftPath(spec, clusterRoot));

                    progress($"{name}: {spec.RewardMembers} reward models one after another in process");
                    var clock = Stopwatch.StartNew();
                    var members = new List<TrainedMember>();
                    foreach (var recipe in ModelPreparation.RewardPlan(spec))
                        members.Add(await ComputeThreads.RunLongAsync(() => ModelPreparation.TrainMember(spec, recipe, sft, ModelPreparation.MemberPath(spec, recipe, sequentialRoot))));
                    var sequential = clock.Elapsed.TotalSeconds;

                    progress($"{name}: the same reward models through their trainer grains");
                    clock.Restart();
                    await client.GetGrain<IModelTrainerGrain>(ModelPreparation.CacheKey(spec)).PrepareAsync(spec.ToJson());
                    var cluster = clock.Elapsed.TotalSeconds;

                    progress($"{name}: scoring, in process");
                    var local = ModelPreparation.Collect(spec, sft, 0, members, null);
                    var inProcess = ComputeThreads.Run(() =>
                    {
                        using var pipeline = new LocalPipeline(spec, local);
                        return Enumerable.Range(0, spec.Iterations).Select(pipeline.RunIteration).ToArray();
                    });
                    progress($"{name}: scoring, through the scorer grains");
                    var orleans = await RunAsync(client, spec, cancellation);
                    if (round == 0) continue;
                    results.Add(new Round(spec.Seed, cluster, sequential, ScoreMs(orleans), ScoreMs(inProcess)));
                }
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }
            var first = Spec(method, 100);
            return new Result(Machine.Describe(), ComputeThreads.Run(TorchSharp.torch.get_num_threads), computeThreads, method, first.RewardMembers, rounds, first.Reward.Pairs,
                Spread.Of(results.Select(r => r.ClusterTrainingSeconds).ToArray()), Spread.Of(results.Select(r => r.SequentialTrainingSeconds).ToArray()),
                Spread.Of(results.Select(r => r.ClusterTrainingSeconds / r.SequentialTrainingSeconds).ToArray()),
                Spread.Of(results.Select(r => r.ClusterScoreMs).ToArray()), Spread.Of(results.Select(r => r.InProcessScoreMs).ToArray()),
                Spread.Of(results.Select(r => r.ClusterScoreMs / r.InProcessScoreMs).ToArray()), results);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The score stage's mean milliseconds after the warm-up, as the pipeline's own clock measured it.</summary>
    static double ScoreMs(IReadOnlyList<IterationMetrics> history) => history.Skip(Warmup).Average(m => m.ScoreSeconds) * 1000;

    static async Task<IReadOnlyList<IterationMetrics>> RunAsync(IClusterClient client, RunSpec spec, CancellationToken cancellation)
    {
        var runId = RunIds.New(spec.Name);
        await client.GetGrain<IRunGrain>(runId).StartAsync(spec.ToJson());
        var status = await new RunWaiter(client).UntilEndedAsync(runId, cancellation: cancellation);
        if (status.State != RunState.Completed) throw new EppoException($"bench run ended {status.State}: {status.Reason}");
        return status.History;
    }

    static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        foreach (var dir in Directory.GetDirectories(from)) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
