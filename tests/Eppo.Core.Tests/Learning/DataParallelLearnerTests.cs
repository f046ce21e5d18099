using Eppo.Contracts;
using Eppo.Contracts.Messages;
using Eppo.Core.Learning;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Learning;

/// <summary>
/// Data-parallel replicas, each on a thread of its own with an in-memory exchange, learn what one learner learns on the
/// whole batch: the same parameters within 1e-5 after 10 iterations (fp32), the same metrics, and among themselves the
/// same bits.
/// </summary>
public sealed class DataParallelLearnerTests
{
    static readonly ModelConfig Config = ModelConfig.Tiny(vocabSize: 41, hiddenSize: 32, layers: 2, heads: 4);

    static RunSpec Spec(int rank, string reader) => new RunSpec
    {
        Method = "eppo", BatchSize = 12, MiniBatchSize = 4, PpoEpochs = 2, Generators = 1, Scorers = 1, Seed = 3,
        ActorLr = 1e-3, CriticLr = 1e-3, EnergyReader = reader,
        Model = rank > 0 ? new ModelSpec { Adapter = new AdapterSpec { R = rank } } : new ModelSpec(),
    }.Validate();

    /// <summary>Iteration <paramref name="i"/>'s batch: rows of different lengths, so the replicas' token counts differ.</summary>
    static LearnerBatch Batch(int i, int rows)
    {
        var random = new Random(100 + i);
        int[] Tokens(int min, int max) => [.. Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => random.Next(3, Config.VocabSize))];
        float[] Column(double scale) => [.. Enumerable.Range(0, rows).Select(_ => (float)(scale * (random.NextDouble() - 0.5)))];
        return new LearnerBatch(i, [.. Enumerable.Range(0, rows).Select(_ => Tokens(2, 5))], [.. Enumerable.Range(0, rows).Select(_ => Tokens(1, 7))],
            Column(2), Column(0.2), Column(0.2));
    }

    [Theory]
    [InlineData(0, "policy", 2)]
    [InlineData(4, "policy", 2)]
    [InlineData(4, "sft", 3)]
    public void ReplicasLearnWhatOneLearnerLearnsOnTheWholeBatch(int rank, string reader, int replicas)
    {
        var spec = Spec(rank, reader);
        var codec = TaskCodec.Synthetic(Config.VocabSize);
        using var sft = new DecoderModel(Config, seed: 5);
        using var single = new PpoLearner(spec, codec, sft);
        var learners = Enumerable.Range(0, replicas).Select(_ => new PpoLearner(spec, codec, sft)).ToArray();
        IterationMetrics? last = null;
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var batch = Batch(i, spec.BatchSize);
                var expected = last = single.Learn(batch);
                var exchange = new InMemoryExchange(replicas);
                var metrics = RunReplicas(replicas, r => learners[r].Learn(batch, new ReplicaShare(r, replicas, batch.Rows), exchange.Member(r)));
                foreach (var m in metrics)
                {
                    Assert.Equal(expected.PolicyVersion, m.PolicyVersion);
                    Close($"iteration {i} shaped reward", expected.ShapedReward, m.ShapedReward);
                    Close($"iteration {i} KL", expected.Kl, m.Kl);
                    Close($"iteration {i} entropy", expected.Entropy, m.Entropy);
                    Close($"iteration {i} policy loss", expected.PolicyLoss, m.PolicyLoss);
                    Close($"iteration {i} value loss", expected.ValueLoss, m.ValueLoss);
                    Close($"iteration {i} clip fraction", expected.ClipFraction, m.ClipFraction);
                }
            }
            Assert.Single(learners.Select(l => l.ParameterHash()).Distinct());
            using var scope = NewDisposeScope();
            var reference = single.Models.Parts.SelectMany(p => p.Module.state_dict().Select(kv => (Name: $"{p.Name}/{kv.Key}", kv.Value))).ToList();
            var replica = learners[^1].Models.Parts.SelectMany(p => p.Module.state_dict().Select(kv => kv.Value)).ToList();
            Assert.Equal(reference.Count, replica.Count);
            foreach (var ((name, want), got) in reference.Zip(replica))
            {
                var gap = (want - got).abs().max().item<float>();
                Assert.True(gap <= 1e-5, $"{name}: replicas differ from one learner by {gap}");
            }
            Assert.True(single.State.KlBeta >= 0 && last!.Kl != 0, "the policy moved away from the reference");
        }
        finally
        {
            foreach (var learner in learners) learner.Dispose();
        }
    }

    [Fact]
    public void AReplicaWithoutRowsInAMinibatchStillStepsAlike()
    {
        // 4 replicas of 1 row each and minibatches of 2 rows: in every minibatch two replicas hold nothing.
        var spec = Spec(0, "policy") with { BatchSize = 4, MiniBatchSize = 2 };
        var codec = TaskCodec.Synthetic(Config.VocabSize);
        using var sft = new DecoderModel(Config, seed: 5);
        var learners = Enumerable.Range(0, 4).Select(_ => new PpoLearner(spec, codec, sft)).ToArray();
        try
        {
            var exchange = new InMemoryExchange(4);
            RunReplicas(4, r => learners[r].Learn(Batch(0, 4), new ReplicaShare(r, 4, 4), exchange.Member(r)));
            Assert.Single(learners.Select(l => l.ParameterHash()).Distinct());
        }
        finally
        {
            foreach (var learner in learners) learner.Dispose();
        }
    }

    static void Close(string what, double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{what}: one learner {expected}, replicas {actual}");

    static IterationMetrics[] RunReplicas(int replicas, Func<int, IterationMetrics> learn)
    {
        var results = new IterationMetrics[replicas];
        var errors = new Exception?[replicas];
        var threads = Enumerable.Range(0, replicas).Select(r => new Thread(() =>
        {
            try { results[r] = learn(r); }
            catch (Exception e) { errors[r] = e; }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromMinutes(2)), "a replica hung");
        if (errors.FirstOrDefault(e => e is not null) is { } error) throw error;
        return results;
    }

    /// <summary>The exchange between replica threads: each call is its replica's next round; a round completes when every replica has sent.</summary>
    sealed class InMemoryExchange(int replicas)
    {
        readonly object gate = new();
        readonly Dictionary<int, float[]?[]> parts = [];
        readonly Dictionary<int, float[]> results = [];
        readonly int[] rounds = new int[replicas];

        public IBatchReduction Member(int replica) => new Reduction(this, replica);

        float[] Exchange(int replica, float[] local, bool gather)
        {
            lock (gate)
            {
                var round = rounds[replica]++;
                if (!parts.TryGetValue(round, out var sent)) parts[round] = sent = new float[]?[replicas];
                sent[replica] = local;
                if (sent.All(p => p is not null)) results[round] = ReplicaReduction.Combine(sent!, gather);
                Monitor.PulseAll(gate);
                while (!results.ContainsKey(round)) Assert.True(Monitor.Wait(gate, TimeSpan.FromMinutes(1)), $"round {round} never completed");
                return results[round];
            }
        }

        sealed class Reduction(InMemoryExchange exchange, int replica) : IBatchReduction
        {
            public float[] Sum(float[] local) => exchange.Exchange(replica, local, gather: false);

            public float[] Gather(float[] local) => exchange.Exchange(replica, local, gather: true);
        }
    }
}
