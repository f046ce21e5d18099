using System.Diagnostics;
using System.Text.Json.Serialization;
using Eppo.Contracts;
using Eppo.Contracts.Messages;
using Eppo.Core;
using Eppo.Core.Evaluation;
using Eppo.Core.Model;
using Eppo.Grains.Interfaces;
using Spread = Eppo.Cli.Bench.PipelineBenchmark.Spread;

namespace Eppo.Cli.Bench;

/// <summary>
/// `eppo bench scale`: what a second learner replica and overlapped generation buy, on silo processes of one libtorch
/// thread each. (1) The learner's step on a SmolLM-135M-shaped model with LoRA r 16, one replica against two on two
/// silos (the same batch, the replicas exchanging gradients through Orleans), rounds interleaved; the values the replicas
/// send per iteration are counted at the exchange. What this machine allows at most is measured beside it: two
/// independent learners, one per silo, each stepping on half the batch at the same time, with nothing exchanged.
/// (2) Whole runs with and without overlap, the learner on one silo and
/// generators, scorers and the energy reference on another, on a HackBench spec whose generation and learning take
/// about the same time.
/// </summary>
public static class ScaleBenchmark
{
    public sealed record Result(
        string Machine, int Rounds, string LearnerModel, int LearnerBatch, int LearnerSteps,
        Spread LearnerStepMs1, Spread LearnerStepMs2, Spread LearnerSpeedupSpread, string[] ReplicaHosts,
        Spread HalvesApartMs, Spread MachineCeiling,
        long ExchangedBytesPerIteration, long PolicyBytesPerVersion,
        string OverlapModel, int OverlapIterations, int CheckpointInterval, double GenerateMs, double ScoreMs, double LearnMs,
        Spread IterationMsSequential, Spread IterationMsOverlapped, Spread OverlapSpeedupSpread)
    {
        /// <summary>The targets' figures, named as the issue names them: medians over the rounds.</summary>
        [JsonPropertyName("learner_speedup_2")] public double LearnerSpeedupMedian => LearnerSpeedupSpread.Median;

        [JsonPropertyName("overlap_speedup")] public double OverlapSpeedupMedian => OverlapSpeedupSpread.Median;
    }

    /// <summary>Three silos: two for learners (replica 0 and 1), one for everything else.</summary>
    static readonly string[] Stages = ["learner", "learner", "generator,scorer,reference,trainer"];

    public static async Task<Result> RunAsync(int rounds, int steps, Action<string> progress, CancellationToken cancellation)
    {
        var root = Directory.CreateTempSubdirectory("eppo-bench-scale-").FullName;
        try
        {
            var config = ModelShapes.Get("smollm-135m");
            var sft = Path.Combine(root, "smollm-135m");
            progress("writing a random SmolLM-135M-shaped checkpoint");
            ComputeThreads.Run(() => ModelBenchmark.WriteCheckpoint(config, sft, seed: 1));
            progress("starting 3 silo processes (1 libtorch thread each)");
            await using var cluster = await SiloProcesses.StartAsync(Stages, threads: 1, root, cancellation);
            var learner = await LearnerStepsAsync(cluster.Client, config, sft, rounds, steps, progress);
            var overlap = await OverlapAsync(cluster.Client, rounds, progress, cancellation);
            return new Result(Machine.Describe(), rounds, "smollm-135m, LoRA r 16 on every linear, adapter critic", learner.Batch, steps,
                Spread.Of(learner.One), Spread.Of(learner.Two), Spread.Of(learner.One.Zip(learner.Two, (a, b) => a / b).ToArray()), learner.Hosts,
                Spread.Of(learner.Apart), Spread.Of(learner.One.Zip(learner.Apart, (a, b) => a / b).ToArray()),
                learner.ExchangedBytes, learner.PolicyBytes,
                "HackBench Llama d=64, 2 layers", overlap.Spec.Iterations - PipelineBenchmark.Warmup, overlap.Spec.CheckpointInterval,
                overlap.GenerateMs, overlap.ScoreMs, overlap.LearnMs,
                Spread.Of(overlap.Sequential), Spread.Of(overlap.Overlapped), Spread.Of(overlap.Sequential.Zip(overlap.Overlapped, (a, b) => a / b).ToArray()));
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    sealed record LearnerTimes(int Batch, double[] One, double[] Two, double[] Apart, string[] Hosts, long ExchangedBytes, long PolicyBytes);

    /// <summary>Per round: the median step of one learner, then of two replicas, on the same batches.</summary>
    static async Task<LearnerTimes> LearnerStepsAsync(IClusterClient client, ModelConfig config, string sft, int rounds, int steps, Action<string> progress)
    {
        var work = ModelBenchmark.Plan(config, seed: 2, batchSize: 8, promptLength: 16, newTokens: 48);
        // One minibatch of the whole batch: each replica's share of it is its own half. (With smaller minibatches a replica's
        // share of each varies with the shuffle, and every step waits for the larger share.)
        var spec = ModelBenchmark.LearnerSpec(config, work, seed: 3, loraRank: 16) with { Name = "bench-scale", Generators = 1, Scorers = 1 };
        var context = new RunContext { RunId = RunIds.New("bench-scale"), SpecJson = spec.Validate("bench scale").ToJson(), SftPath = sft, RewardPaths = [] };
        var one = client.GetGrain<ILearnerGrain>(RunIds.New("scale-one"));
        var replicaKey = RunIds.New("scale-two");
        var two = new[] { client.GetGrain<ILearnerGrain>(replicaKey), client.GetGrain<ILearnerGrain>($"{replicaKey}/1") };
        var halvesKey = RunIds.New("scale-apart");
        var halves = new[] { client.GetGrain<ILearnerGrain>(halvesKey), client.GetGrain<ILearnerGrain>($"{halvesKey}/1") };
        progress("loading the learners (one, two replicas, two independent halves)");
        await one.InitializeAsync(context, null, 0);
        await two[0].InitializeAsync(context, null, 0);
        await two[1].CopyFromAsync(context, replicaKey, 0);
        var halfContext = context with { SpecJson = (spec with { BatchSize = work.BatchSize / 2, MiniBatchSize = work.BatchSize / 2 }).ToJson() };
        await Task.WhenAll(halves.Select(h => h.InitializeAsync(halfContext, null, 0)));
        var hosts = (await Task.WhenAll(two.Select(r => r.HeldAsync()))).Select(h => h.Host).ToArray();
        if (hosts[0] == hosts[1]) throw new EppoException($"bench scale: both replicas landed on {hosts[0]}");
        var zeros = new float[work.BatchSize];
        LearnerBatch Batch(int i) => new(i, work.Prompts, work.Responses, work.Scores, zeros, zeros);
        LearnerBatch Half(int i, int h)
        {
            var rows = new Range(h * work.BatchSize / 2, (h + 1) * work.BatchSize / 2);
            return new(i, work.Prompts[rows], work.Responses[rows], work.Scores[rows], zeros[rows], zeros[rows]);
        }
        var (oneMs, twoMs, apartMs) = (new List<double>(), new List<double>(), new List<double>());
        long exchanged = 0;
        var iteration = 0;
        for (var round = 0; round <= rounds; round++)
        {
            progress(round == 0 ? "learner: warm-up round" : $"learner: round {round}/{rounds}");
            var (a, b, c) = (new List<double>(), new List<double>(), new List<double>());
            for (var s = 0; s < steps; s++, iteration++)
            {
                var clock = Stopwatch.StartNew();
                await one.LearnAsync(Batch(iteration));
                a.Add(clock.Elapsed.TotalMilliseconds);
                var exchange = client.GetGrain<ILearnerExchangeGrain>($"{replicaKey}/{iteration}");
                clock.Restart();
                await Task.WhenAll(two.Select((r, k) => r.LearnReplicaAsync(Batch(iteration), new ReplicaSlot { Replica = k, Replicas = 2, Exchange = exchange.GetPrimaryKeyString() })));
                b.Add(clock.Elapsed.TotalMilliseconds);
                exchanged = await exchange.CloseAsync(null);
                clock.Restart();
                await Task.WhenAll(halves.Select((h, k) => h.LearnAsync(Half(iteration, k))));
                c.Add(clock.Elapsed.TotalMilliseconds);
            }
            if (round == 0) continue;
            oneMs.Add(Stats.Quantile(a, 0.5));
            twoMs.Add(Stats.Quantile(b, 0.5));
            apartMs.Add(Stats.Quantile(c, 0.5));
        }
        var hashes = await Task.WhenAll(two.Select(r => r.ParameterHashAsync(iteration)));
        if (hashes[0] != hashes[1]) throw new EppoException($"bench scale: the replicas disagree ({hashes[0]} vs {hashes[1]})");
        var policy = await one.GetPolicyAsync(-1);
        await Task.WhenAll(two.Concat(halves).Append(one).Select(l => l.RetireAsync()));
        // Each replica sends its values and receives the sum, as many again.
        return new LearnerTimes(work.BatchSize, [.. oneMs], [.. twoMs], [.. apartMs], hosts, exchanged * sizeof(float) * 2, policy.TotalBytes);
    }

    sealed record OverlapTimes(RunSpec Spec, double[] Sequential, double[] Overlapped, double GenerateMs, double ScoreMs, double LearnMs);

    /// <summary>
    /// The pipeline benchmark's HackBench spec with 48-token answers and one PPO epoch over minibatches of 32, so
    /// learning takes about as long as generating and scoring; runs with and without overlap, alternating.
    /// </summary>
    static async Task<OverlapTimes> OverlapAsync(IClusterClient client, int rounds, Action<string> progress, CancellationToken cancellation)
    {
        var spec = PipelineBenchmark.BuiltIn("eppo") with { Name = "bench-overlap", MaxNewTokens = 48, MiniBatchSize = 32, PpoEpochs = 1, CheckpointInterval = 10 };
        var (sequential, overlapped) = (new List<double>(), new List<double>());
        var stages = new List<IterationMetrics>();
        for (var round = 0; round <= rounds; round++)
        {
            var name = round == 0 ? "overlap: warm-up round (trains the SFT and reward models)" : $"overlap: round {round}/{rounds}";
            progress($"{name}, without overlap");
            var off = await PipelineBenchmark.OrleansIterationMsAsync(client, spec, cancellation);
            progress($"{name}, with overlap");
            var on = await PipelineBenchmark.OrleansIterationMsAsync(client, spec with { Overlap = true }, cancellation);
            if (round == 0) continue;
            sequential.Add(off.Ms);
            overlapped.Add(on.Ms);
            stages.AddRange(off.History.Skip(PipelineBenchmark.Warmup));
        }
        double Ms(Func<IterationMetrics, double> pick) => Stats.Quantile(stages.Select(pick), 0.5) * 1000;
        return new OverlapTimes(spec, [.. sequential], [.. overlapped], Ms(m => m.GenerateSeconds), Ms(m => Math.Max(m.ScoreSeconds, m.EnergyReferenceSeconds)), Ms(m => m.LearnSeconds));
    }
}
