using Eppo.Contracts.Messages;
using TorchSharp;
using static TorchSharp.torch;
using Eppo.Core.Learning;
using Eppo.Core.Tasks;
using System.Diagnostics;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Contracts;
using Eppo.Core.Text;

namespace Eppo.Cli.Bench;

/// <summary>
/// `eppo bench core`: generation with and without the KV cache, the energy probe's cost, one PPO learner step and the
/// machine's libtorch matmul rate, all in one process so the ratios compare like with like. Paired measurements
/// (cache / no cache, probe / no probe) alternate their order every repetition, so drift from a shared machine
/// falls on both sides.
/// </summary>
public static class CoreBenchmark
{
    public static CoreBenchmarkResult Run(CoreBenchmarkOptions options, Action<string>? progress = null)
    {
        options.Validate();
        progress ??= _ => { };
        var config = options.Model;
        var codec = TaskCodec.Synthetic(config.VocabSize);
        var random = new Random(options.Seed);
        var prompts = RandomRows(random, options.BatchSize, options.PromptLength, config.VocabSize);
        // Responses as a rollout hands them over: NewTokens − 1 words, then EOS.
        var responses = RandomRows(random, options.BatchSize, options.NewTokens - 1, config.VocabSize)
            .Select(r => (int[])[.. r, codec.EosId]).ToArray();
        using var policy = new DecoderModel(config, HeadKind.LanguageModel, options.Seed);
        policy.eval();
        var loadBefore = LoadAverage();
        // The peak is measured at the start and at the end and the best taken, so a busy spell on a shared machine
        // does not lower the peak (which would flatter the training step's share of it).
        progress("matmul peak");
        var matmul = options.MatmulSizes.ToDictionary(n => n.ToString(), n => MatmulGflops(n, n, n, options));

        progress("generation: KV cache vs no cache");
        var (generationKv, generationNoCache) = Generation(policy, prompts, options);
        progress("forward: probe on vs off");
        var (forwardProbe, forwardNoProbe, probeOverhead) = Forward(policy, prompts, responses, options);
        progress("PPO learner step");
        var trainStep = TrainStep(policy, codec, prompts, responses, options);
        progress("matmul peak, again");
        foreach (var n in options.MatmulSizes) matmul[n.ToString()] = Math.Max(matmul[n.ToString()], MatmulGflops(n, n, n, options));
        var tokens = options.BatchSize * (options.PromptLength + options.NewTokens);
        var minibatchTokens = options.MiniBatchSize * (options.PromptLength + options.NewTokens);
        var modelShape = MatmulGflops(minibatchTokens, config.HiddenSize, config.IntermediateSize, options);

        var actorParameters = TrainingFlops.MatmulParameters(config, HeadKind.LanguageModel);
        var criticParameters = TrainingFlops.MatmulParameters(config, HeadKind.Value);
        var trainFlop = TrainingFlops.PpoStep(actorParameters, criticParameters, tokens, options.PpoEpochs);
        var trainGflops = trainFlop / 1e9 / (trainStep / 1e3);
        var peak = matmul.Values.Max();
        var generated = (double)options.BatchSize * options.NewTokens;
        return new CoreBenchmarkResult
        {
            CpuModel = CpuModel(),
            Nproc = Environment.ProcessorCount,
            Threads = get_num_threads(),
            LoadAverageStart = loadBefore,
            LoadAverageEnd = LoadAverage(),
            Model = $"{config.Family.ToString().ToLowerInvariant()} d={config.HiddenSize} L={config.Layers} H={config.Heads} " +
                    $"KV={config.KvHeads} I={config.IntermediateSize} V={config.VocabSize}",
            ProbeSite = config.ProbeSite.ToConfigString(),
            ActorMatmulParameters = actorParameters,
            CriticMatmulParameters = criticParameters,
            BatchSize = options.BatchSize,
            PromptLength = options.PromptLength,
            NewTokens = options.NewTokens,
            GenerationMsKv = Round(generationKv),
            GenerationMsNoCache = Round(generationNoCache),
            GenerationTokensPerSKv = Round(generated / (generationKv / 1e3)),
            GenerationTokensPerSNoCache = Round(generated / (generationNoCache / 1e3)),
            KvSpeedup = Round(generationNoCache / generationKv),
            ForwardMsProbe = Round(forwardProbe),
            ForwardMsNoProbe = Round(forwardNoProbe),
            ProbeOverheadPct = Round(probeOverhead),
            TrainTokens = tokens,
            MiniBatchSize = options.MiniBatchSize,
            PpoEpochs = options.PpoEpochs,
            TrainStepMs = Round(trainStep),
            TrainStepGflop = Round(trainFlop / 1e9),
            TrainStepGflops = Round(trainGflops),
            MatmulGflops = matmul.ToDictionary(kv => kv.Key, kv => Round(kv.Value)),
            MatmulPeakGflops = Round(peak),
            MatmulModelShapeGflops = Round(modelShape),
            TrainStepPeakPct = Round(100 * trainGflops / peak),
        };
    }

    /// <summary>Median ms of greedy generation with and without the cache, same prompts, EOS disabled.</summary>
    static (double Kv, double NoCache) Generation(DecoderModel policy, int[][] prompts, CoreBenchmarkOptions options)
    {
        var generator = new SequenceGenerator(policy);
        var withCache = new GenerationOptions(options.NewTokens, EosId: -1, UseKvCache: true);
        var withoutCache = withCache with { UseKvCache = false };
        for (var i = 0; i < options.Warmup; i++)  // a short no-cache run warms the same kernels at a fraction of the cost
        {
            generator.Generate(prompts, withCache);
            generator.Generate(prompts, withoutCache with { MaxNewTokens = Math.Min(8, options.NewTokens) });
        }
        var (kv, noCache) = PairedMedians(
            () => generator.Generate(prompts, withCache),
            () => generator.Generate(prompts, withoutCache),
            warmup: 0, options.GenerationRepetitions);
        return (kv.Median, noCache.Median);
    }

    /// <summary>
    /// Median ms of one inference forward over the PPO batch (B × (prompt + response)) with the probe on and off, and
    /// the probe's overhead in percent as the median of the paired ratios (robust to drift between pairs).
    /// </summary>
    static (double Probe, double NoProbe, double OverheadPct) Forward(
        DecoderModel policy, int[][] prompts, int[][] responses, CoreBenchmarkOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = SequenceBatch.Build(prompts, responses, eosId: -1);
        void Pass(bool probe)
        {
            using var step = NewDisposeScope();
            policy.ProbeEnergy = probe;
            policy.Forward(batch.Tokens, batch.Positions, batch.AttentionMask);
        }
        try
        {
            var (on, off) = PairedMedians(() => Pass(true), () => Pass(false), options.Warmup + 1, options.ForwardRepetitions);
            var overhead = Median(on.Samples.Zip(off.Samples, (a, b) => 100 * (a / b - 1)));
            return (on.Median, off.Median, overhead);
        }
        finally
        {
            policy.ProbeEnergy = true;
        }
    }

    /// <summary>Median ms of <see cref="PpoLearner.Learn(Eppo.Contracts.Messages.LearnerBatch)"/> on a full batch (actor, reference and critic copied from the policy).</summary>
    static double TrainStep(DecoderModel policy, TaskCodec codec, int[][] prompts, int[][] responses, CoreBenchmarkOptions options)
    {
        var spec = new RunSpec
        {
            Method = "eppo",
            ProbeSite = policy.Config.ProbeSite.ToConfigString(),
            BatchSize = options.BatchSize,
            MiniBatchSize = options.MiniBatchSize,
            PpoEpochs = options.PpoEpochs,
            MaxNewTokens = options.NewTokens,
            Seed = options.Seed,
        };
        var learner = new PpoLearner(spec, codec, policy);
        var random = new Random(options.Seed + 1);
        float[] Column(double scale) => [.. Enumerable.Range(0, prompts.Length).Select(_ => (float)(scale * (random.NextDouble() - 0.5)))];
        var iteration = 0;
        void Step() => learner.Learn(new LearnerBatch(iteration++, prompts, responses, Column(2), Column(0.2), Column(0.2)));
        for (var i = 0; i < options.Warmup; i++) Step();
        return Median(Enumerable.Range(0, options.TrainRepetitions).Select(_ => Milliseconds(Step)));
    }

    /// <summary>Best GFLOP/s of an (m × k) · (k × n) float32 product over the repetitions, after one warm-up product.</summary>
    static double MatmulGflops(long m, long k, long n, CoreBenchmarkOptions options)
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator((ulong)options.Seed);
        var a = randn([m, k], generator: generator);
        var b = randn([k, n], generator: generator);
        void Product()
        {
            using var step = NewDisposeScope();
            a.matmul(b);
        }
        Product();
        var best = Enumerable.Range(0, options.MatmulRepetitions).Select(_ => Milliseconds(Product)).Min();
        return TrainingFlops.Matmul(m, k, n) / 1e9 / (best / 1e3);
    }

    sealed record Timings(double[] Samples)
    {
        public double Median => CoreBenchmark.Median(Samples);
    }

    /// <summary>Times a and b alternately (ab, ba, ab, …) after warm-up runs of each.</summary>
    static (Timings A, Timings B) PairedMedians(Action a, Action b, int warmup, int repetitions)
    {
        for (var i = 0; i < warmup; i++) { a(); b(); }
        var (timesA, timesB) = (new double[repetitions], new double[repetitions]);
        for (var i = 0; i < repetitions; i++)
        {
            if (i % 2 == 0) { timesA[i] = Milliseconds(a); timesB[i] = Milliseconds(b); }
            else { timesB[i] = Milliseconds(b); timesA[i] = Milliseconds(a); }
        }
        return (new Timings(timesA), new Timings(timesB));
    }

    static double Milliseconds(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    static double Round(double value) => Math.Round(value, 3);


    /// <summary>Rows of word ids (never pad, BOS or EOS, so nothing ends early).</summary>
    static int[][] RandomRows(Random random, int rows, int length, int vocabSize) =>
        [.. Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, length).Select(_ => random.Next(3, vocabSize)).ToArray())];

    /// <summary>The 1-minute load average (other processes compete for the cores), or −1 where unknown.</summary>
    static double LoadAverage()
    {
        const string loadAverage = "/proc/loadavg";
        return File.Exists(loadAverage) && double.TryParse(File.ReadAllText(loadAverage).Split(' ')[0],
            System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var load) ? load : -1;
    }

    static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        var line = File.Exists(cpuInfo)
            ? File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
            : null;
        return line?.Split(':', 2)[1].Trim() ?? "unknown";
    }
}
