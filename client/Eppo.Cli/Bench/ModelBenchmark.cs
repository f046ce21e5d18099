using Eppo.Contracts.Messages;
using Eppo.Core.Learning;
using System.Diagnostics;
using Eppo.Contracts;
using Eppo.Core.Checkpoints;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Preparation;
using Eppo.Core.Tasks;

namespace Eppo.Cli.Bench;

/// <summary>
/// EppoOrleans' side of `eppo bench model` on a real-size checkpoint: loading it, greedy generation with the KV cache
/// (no EOS, so every row runs the full length) and one PPO learner step (<see cref="PpoLearner.Learn(Eppo.Contracts.Messages.LearnerBatch)"/>: actor,
/// reference and critic scoring, then one minibatch of actor and critic updates). The same work, on the same
/// checkpoint and token ids, is what the PyTorch peer (client/Eppo.Cli/Bench/torch_peer.py) times.
/// </summary>
public static class ModelBenchmark
{
    /// <summary>The token ids both sides work on: prompts, the responses a PPO step learns from, and their scores.</summary>
    public sealed record Work(int BatchSize, int PromptLength, int NewTokens, int TrainSteps, int[][] Prompts, int[][] Responses, float[] Scores);

    public sealed record Timings(double LoadS, double GenerationS, double PpoStepS, int[][] Generated);

    public static Work Plan(ModelConfig config, int seed, int batchSize = 8, int promptLength = 16, int newTokens = 64, int trainSteps = 1)
    {
        var random = new Random(seed);
        var eos = TaskCodec.Synthetic(config.VocabSize).EosId;
        // Word ids only (never pad, BOS or EOS); responses as a rollout hands them over: words, then EOS.
        int[][] Rows(int length) => [.. Enumerable.Range(0, batchSize).Select(_ => Enumerable.Range(0, length).Select(_ => random.Next(3, config.VocabSize)).ToArray())];
        var responses = Rows(newTokens - 1).Select(r => (int[])[.. r, eos]).ToArray();
        return new Work(batchSize, promptLength, newTokens, trainSteps, Rows(promptLength), responses,
            [.. Enumerable.Range(0, batchSize).Select(_ => (float)(random.NextDouble() - 0.5))]);
    }

    /// <summary>A random model of this shape written as a Hugging Face checkpoint (fp32 safetensors).</summary>
    public static void WriteCheckpoint(ModelConfig config, string dir, int seed)
    {
        using var model = new DecoderModel(config, HeadKind.LanguageModel, seed);
        HuggingFaceExport.Save(model, dir);
    }

    /// <summary>The learner's spec for the benchmark's work: one minibatch, one epoch; LoRA r <paramref name="loraRank"/> on every linear when it is positive.</summary>
    public static RunSpec LearnerSpec(ModelConfig config, Work work, int seed, int loraRank = 0) => new()
    {
        Method = "eppo", BatchSize = work.BatchSize, MiniBatchSize = work.BatchSize, PpoEpochs = 1, MaxNewTokens = work.NewTokens,
        ProbeSite = config.ProbeSite.ToConfigString(), Seed = seed,
        Model = loraRank > 0 ? new ModelSpec { Adapter = new AdapterSpec { R = loraRank, Targets = [Core.Adapters.LoraTargets.AllLinearName] } } : new ModelSpec(),
    };

    /// <summary>What one learner process did: its PPO steps after the warm-up, its peak memory before publishing, and one policy version's bytes.</summary>
    public sealed record LearnerSteps(IReadOnlyList<double> StepSeconds, long PeakBytes, long PolicyBytes);

    /// <summary>
    /// A learner as the learner grain builds it (a lease on the frozen SFT model at <paramref name="sftDir"/>, which full
    /// fine-tuning copies and releases), a warm-up step (Adam's first update) and <paramref name="steps"/> timed ones;
    /// <paramref name="peakBytes"/> is read before the policy is published, so that is the learner's peak alone.
    /// </summary>
    public static LearnerSteps RunLearner(string sftDir, Work work, int seed, int loraRank, int steps, Func<long> peakBytes)
    {
        var sft = FrozenModels.Acquire(sftDir);
        var config = sft.Model.Config;
        var spec = LearnerSpec(config, work, seed, loraRank);
        using var learner = new PpoLearner(spec, TaskCodec.Synthetic(config.VocabSize), sft, sftDir);
        var zeros = new float[work.BatchSize];
        var clock = new Stopwatch();
        var times = new List<double>();
        for (var i = 0; i <= steps; i++)
        {
            clock.Restart();
            learner.Learn(new LearnerBatch(i, work.Prompts, work.Responses, work.Scores, zeros, zeros));
            if (i > 0) times.Add(clock.Elapsed.TotalSeconds);
        }
        var peak = peakBytes();
        return new LearnerSteps(times, peak, learner.PolicyChunks().Length);
    }

    public static Timings Run(string dir, Work work, int seed)
    {
        var clock = Stopwatch.StartNew();
        using var policy = HuggingFaceCheckpoint.Load(dir);
        var load = clock.Elapsed.TotalSeconds;
        policy.eval();

        var generator = new SequenceGenerator(policy);
        var options = new GenerationOptions(work.NewTokens, EosId: -1);
        generator.Generate(work.Prompts, options with { MaxNewTokens = 4 });  // warm-up, as the peer does
        clock.Restart();
        var generated = generator.Generate(work.Prompts, options).Responses;
        var generation = clock.Elapsed.TotalSeconds;

        var codec = TaskCodec.Synthetic(policy.Config.VocabSize);
        var spec = new RunSpec
        {
            Method = "eppo", BatchSize = work.BatchSize, MiniBatchSize = work.BatchSize, PpoEpochs = 1, MaxNewTokens = work.NewTokens,
            ProbeSite = policy.Config.ProbeSite.ToConfigString(), Seed = seed,
        };
        using var learner = new PpoLearner(spec, codec, policy);
        var zeros = new float[work.BatchSize];
        var steps = new List<double>();
        for (var i = 0; i <= work.TrainSteps; i++)  // the first is a warm-up (Adam allocates its state)
        {
            clock.Restart();
            learner.Learn(new LearnerBatch(i, work.Prompts, work.Responses, work.Scores, zeros, zeros));
            if (i > 0) steps.Add(clock.Elapsed.TotalSeconds);
        }
        return new Timings(load, generation, steps.Order().ElementAt(steps.Count / 2), generated);
    }
}
