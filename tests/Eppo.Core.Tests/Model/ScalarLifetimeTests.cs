using System.Diagnostics;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Ppo;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Model;

/// <summary>
/// TorchSharp 0.107 turns every number in a tensor op (and the hidden alpha = 1 of add/sub) into a Scalar with a
/// finalizer, and nothing keeps it alive during the native call. A GC during that call lets the finalizer thread
/// free the scalar while libtorch still reads it (access violation, or "Expected false to be true … toFloat").
/// This test runs our tensor code on several threads while another one forces GCs and finalizers, and checks that
/// every iteration neither throws nor differs from a quiet single-threaded run.
/// </summary>
public sealed class ScalarLifetimeTests
{
    static readonly int[][] Prompts = [[4, 8, 15, 16], [7, 3], [12]];
    const int Eos = 9;

    [Fact]
    public void TensorWorkIsUnaffectedByFinalizersRunningDuringNativeCalls()
    {
        var families = new[] { ModelFamily.Llama, ModelFamily.Gpt2 };
        var expected = families.ToDictionary(f => f, f =>
        {
            using var work = new Work(f);
            return Work.Run(work);
        });
        var workers = Math.Max(4, 2 * Environment.ProcessorCount);
        var deadline = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(4);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var iterations = 0;
        var done = false;

        var hammer = new Thread(() =>
        {
            while (!Volatile.Read(ref done))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            try
            {
                using var work = new Work(families[w % 2]);
                for (var i = 0; deadline.Elapsed < duration; i++)
                {
                    var got = Work.Run(work);
                    Interlocked.Increment(ref iterations);
                    if (!got.SequenceEqual(expected[work.Family]))
                        failures.Enqueue($"worker {w} iteration {i}: results differ from the quiet run");
                }
            }
            catch (Exception e)
            {
                failures.Enqueue($"worker {w}: {e.GetType().Name}: {e.Message}");
            }
        })).ToList();

        hammer.Start();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Volatile.Write(ref done, true);
        hammer.Join();

        Assert.True(failures.IsEmpty, $"{failures.Count} failures in {iterations} iterations; first: {failures.FirstOrDefault()}");
        Assert.True(iterations >= workers, $"only {iterations} iterations ran");
    }

    /// <summary>Tiny policy, reference and critic of one family; Run does generation, scoring and the PPO losses.</summary>
    sealed class Work(ModelFamily family) : IDisposable
    {
        public ModelFamily Family { get; } = family;
        readonly DecoderModel policy = new(ModelConfig.Tiny(family, probeSite: EnergySite.MlpLinears), seed: 3, initStd: 0.3);
        readonly DecoderModel reference = new(ModelConfig.Tiny(family), seed: 4, initStd: 0.3);
        readonly DecoderModel critic = new(ModelConfig.Tiny(family), HeadKind.Value, seed: 5, initStd: 0.3);
        readonly DecoderModel rewardModel = new(ModelConfig.Tiny(family), HeadKind.Reward, seed: 6, initStd: 0.3);

        /// <summary>Every number the iteration produces, in a fixed order (equal runs give equal lists).</summary>
        public static List<float> Run(Work work)
        {
            var results = new List<float>();
            var generator = new SequenceGenerator(work.policy);
            var greedy = generator.Generate(Prompts, GenerationOptions.Greedy(6, Eos));
            var sampled = generator.Generate(Prompts, GenerationOptions.Sampling(6, Eos, seed: 17, temperature: 0.7, topK: 20, topP: 0.9));
            foreach (var result in new[] { greedy, sampled })
            {
                results.AddRange(result.Responses.SelectMany(r => r).Select(t => (float)t));
                results.AddRange(result.LogProbs.SelectMany(r => r));
                results.AddRange(result.MeanEnergy);
            }

            using var scope = NewDisposeScope();
            var batch = SequenceBatch.Build(Prompts, sampled.Responses, Eos);
            var scores = TeacherForcing.Score(work.policy, batch);
            var refScores = TeacherForcing.Score(work.reference, batch);
            var values = TeacherForcing.Values(work.critic, batch);
            var rewards = TeacherForcing.Rewards(work.rewardModel, batch);
            var mask = batch.ActionMask;
            var shaped = EnergyPenalty.Shape(rewards, scores.MeanEnergy.abs(), new EnergyPenaltyOptions(Eta: 0.5, FloorCoefficient: 0.1));
            var tokenRewards = RewardAssembly.Compute(shaped, scores.LogProbs, refScores.LogProbs, mask, beta: 0.05, KlEstimator.K3);
            var (advantages, returns) = Gae.Compute(tokenRewards, values, mask, gamma: 0.99, lambda: 0.95);
            var whitened = Masked.Whiten(advantages, mask);
            var policyLoss = PolicyLoss.Clipped(scores.LogProbs, refScores.LogProbs, whitened, mask, clipEps: 0.2);
            var valueLoss = ValueLoss.Clipped(values * 1.1, values, returns, mask, clipEps: 0.2);
            var entropy = Masked.Mean(scores.Entropy, mask);
            Finite.Require(tokenRewards, "reward", "stress");
            foreach (var t in new[] { scores.LogProbs, scores.Energy, values, rewards, shaped, tokenRewards, whitened, returns,
                         policyLoss.Loss, policyLoss.ClipFraction, policyLoss.ApproxKl, valueLoss, entropy })
                results.AddRange(t.detach().flatten().data<float>().ToArray());
            return results;
        }

        public void Dispose()
        {
            policy.Dispose();
            reference.Dispose();
            critic.Dispose();
            rewardModel.Dispose();
        }
    }
}
