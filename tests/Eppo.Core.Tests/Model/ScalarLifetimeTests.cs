using System.Diagnostics;
using Xunit.Abstractions;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Ppo;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Model;

/// <summary>
/// TorchSharp 0.107 turns every number in a tensor op (and the alpha = 1 hidden in tensor + tensor, the 2 in square())
/// into a Scalar with a finalizer, and nothing keeps it alive during the native call. A GC during that call lets the finalizer thread
/// free the scalar while libtorch still reads it (access violation, or "Expected false to be true … toFloat").
/// This test runs our tensor code on several threads while another one forces GCs and finalizers, and checks that
/// every iteration neither throws nor differs from a quiet single-threaded run. Before the Scalar audit it failed in
/// 4 of 6 runs on 2 busy cores (a race: a pass here is evidence, not proof); the test itself passes numbers to tensors
/// only through ScalarSafe.
/// </summary>
public sealed class ScalarLifetimeTests(ITestOutputHelper output)
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
        var expectedMath = families.ToDictionary(f => f, MaskAndPpoMath);
        var workers = Math.Clamp(4 * Environment.ProcessorCount, 8, 16); // more threads than cores: preemption widens the window
        var deadline = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(3.5);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var iterations = 0;
        var done = false;
        var collections = 0;

        var hammer = new Thread(() =>
        {
            // Mostly gen-0 collections: the temporaries are young, and cheap GCs make many chances per second.
            for (var n = 0; !Volatile.Read(ref done); n++)
            {
                GC.Collect(n % 16 == 0 ? 2 : 0);
                GC.WaitForPendingFinalizers();
                collections++;
            }
        });
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            try
            {
                using var work = new Work(families[w % 2]);
                for (var i = 0; deadline.Elapsed < duration; i++)
                {
                    // Many cheap calls give the race many chances; a full model iteration now and then covers the rest.
                    var got = i % 100 == 0 ? Work.Run(work) : MaskAndPpoMath(work.Family);
                    Interlocked.Increment(ref iterations);
                    if (!got.SequenceEqual(i % 100 == 0 ? expected[work.Family] : expectedMath[work.Family]))
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

        output.WriteLine($"{iterations} iterations on {workers} threads, {collections} forced GCs");
        foreach (var failure in failures.Take(5)) output.WriteLine(failure);
        Assert.True(failures.IsEmpty, $"{failures.Count} failures in {iterations} iterations; first: {failures.FirstOrDefault()}");
        Assert.True(iterations >= workers, $"only {iterations} iterations ran");
    }

    /// <summary>The mask and PPO arithmetic alone, on small fixed tensors (fast: many native calls per millisecond).</summary>
    static List<float> MaskAndPpoMath(ModelFamily family)
    {
        using var scope = NewDisposeScope();
        var shift = family == ModelFamily.Llama ? 0f : 0.5f;
        var mask = tensor(new long[] { 0, 1, 1, 1, 1, 1, 1, 0 }, [2, 4]);
        var attention = AttentionContext.CausalPaddingMask(mask, 2).to_type(ScalarType.Float32);
        var positions = Positions.FromMask(mask).to_type(ScalarType.Float32);
        var responseMask = tensor(new float[] { 1, 1, 1, 0, 1, 1, 0, 0 }, [2, 4]);
        var logProbs = tensor(new[] { -1.2f, -0.3f, -2.0f, -0.7f, -0.1f, -1.5f, -0.9f, -0.4f }.Select(p => p - shift).ToArray(), [2, 4]);
        var refLogProbs = tensor(new float[] { -1.0f, -0.5f, -1.8f, -0.6f, -0.3f, -1.1f, -0.8f, -0.5f }, [2, 4]);
        var values = tensor(new float[] { 0.2f, -0.1f, 0.4f, 0.3f, -0.2f, 0.1f, 0.0f, 0.5f }, [2, 4]);
        var scores = EnergyPenalty.Shape(tensor(new float[] { 1.5f, -7f }), tensor(new float[] { 0.3f, 0.1f }), new EnergyPenaltyOptions(FloorCoefficient: 0.5));
        var rewards = RewardAssembly.Compute(scores, logProbs, refLogProbs, responseMask, beta: 0.1, KlEstimator.K3);
        var (advantages, returns) = Gae.Compute(rewards, values, responseMask, gamma: 0.9, lambda: 0.8);
        var policyLoss = PolicyLoss.Clipped(logProbs, refLogProbs, Masked.Whiten(advantages, responseMask), responseMask, clipEps: 0.1);
        var valueLoss = ValueLoss.Clipped(values.Times(1.5), values, returns, responseMask, clipEps: 0.1);
        var logits = tensor(Enumerable.Range(0, 16).Select(i => System.MathF.Sin(i + shift)).ToArray(), [2, 8]);
        var filtered = TokenSampler.KeepTopP(TokenSampler.KeepTopK(logits, 5), 0.8).softmax(-1);
        var energy = Eppo.Core.Model.Energy.MaskedMean(values, responseMask);
        // The functions densest in scalar arguments, again and again: each repeat must equal the first.
        for (var repeat = 0; repeat < 20; repeat++)
        {
            using var inner = NewDisposeScope();
            if (!Same(AttentionContext.CausalPaddingMask(mask, 2).to_type(ScalarType.Float32), attention)
                || !Same(Positions.FromMask(mask).to_type(ScalarType.Float32), positions)
                || !Same(TokenSampler.KeepTopP(TokenSampler.KeepTopK(logits, 5), 0.8).softmax(-1), filtered)
                || !Same(Eppo.Core.Model.Energy.MaskedMean(values, responseMask), energy))
                return [float.NaN];
        }
        var results = new List<float>();
        foreach (var t in new[] { attention, positions, rewards, advantages, returns, policyLoss.Loss, policyLoss.ClipFraction,
                     policyLoss.ApproxKl, valueLoss, filtered, energy, Entropy.MaskedMean(logits.unsqueeze(0), ones(1, 2)) })
            results.AddRange(t.detach().flatten().data<float>().ToArray());
        return results;
    }

    static bool Same(Tensor a, Tensor b) => a.allclose(b, rtol: 0, atol: 0);

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
            var valueLoss = ValueLoss.Clipped(values.Times(1.1), values, returns, mask, clipEps: 0.2);
            var entropy = Masked.Mean(scores.Entropy!, mask);
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
