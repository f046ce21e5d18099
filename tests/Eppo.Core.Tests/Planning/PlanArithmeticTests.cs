using Eppo.Core.Adapters;
using Eppo.Core.Model;
using Eppo.Core.Planning;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Planning;

/// <summary>The plan's arithmetic on models small enough to count by hand.</summary>
public sealed class PlanArithmeticTests
{
    /// <summary>
    /// Llama, vocabulary 10, width 8, one layer, 2 heads of 4 (1 KV head), MLP 16, untied. Parameters: embedding 80,
    /// q 64, k 32, v 32, o 64, gate/up/down 128 each, two norms 8 each, final norm 8, lm_head 80 = 760; the value model
    /// drops lm_head for a value head of 8: 688.
    /// </summary>
    static readonly ModelConfig Llama = new(ModelFamily.Llama, VocabSize: 10, HiddenSize: 8, Layers: 1, Heads: 2, KvHeads: 1,
        IntermediateSize: 16, MaxPositions: 16);

    /// <summary>GPT-2, vocabulary 10, width 4, one layer, 2 heads, MLP 16, tied.</summary>
    static readonly ModelConfig Gpt2 = new(ModelFamily.Gpt2, VocabSize: 10, HiddenSize: 4, Layers: 1, Heads: 2, KvHeads: 2,
        IntermediateSize: 16, MaxPositions: 16, TieEmbeddings: true);

    static PlanRun Run(LoraConfig? lora = null, ScalarType dtype = ScalarType.Float32) => new()
    {
        BatchSize = 4, MiniBatchSize = 2, Generators = 2, Scorers = 1, RewardModels = 1, PromptTokens = 3, NewTokens = 2,
        Lora = lora, BaseDtype = dtype,
    };

    [Fact]
    public void FullFineTuningHoldsActorReferenceAndCriticWithGradientsAndAdam()
    {
        Assert.Equal(760, ModelTensors.Elements(ModelTensors.Of(Llama, HeadKind.LanguageModel)));
        Assert.Equal(688, ModelTensors.Elements(ModelTensors.Of(Llama, HeadKind.Value)));
        var learner = GrainPlans.Learner(Llama, Run());
        Assert.Equal((760 + 760 + 688) * 4, learner.Weights);                  // actor, reference, critic: fp32
        Assert.Equal(0, learner.SharedWeights);
        Assert.Equal((760 + 688) * 4, learner.Gradients);
        Assert.Equal(2 * (760 + 688) * 4, learner.OptimizerState);           // Adam m and v
        Assert.Equal(760 * 4, GrainPlans.Generator(Llama, Run()).Weights);   // a policy copy per generator
        // fp32 K and V: 2 × 1 layer × rows × 1 KV head × (3 + 2) positions × 4 dims × 4 bytes; a generator has 2 of the 4 rows.
        Assert.Equal(2 * 1 * 2 * 1 * 5 * 4 * 4, GrainPlans.Generator(Llama, Run()).KvCache);
        Assert.Equal(2 * 1 * 4 * 1 * 5 * 4 * 4, GrainPlans.EnergyReference(Llama, Run()).KvCache);
    }

    /// <summary>
    /// Placement by hand: on one device every resident byte adds up, the shared SFT model counts once and activations
    /// are the largest grain's; on three, the learner has device 0 and the others are dealt round devices 1 and 2.
    /// </summary>
    [Fact]
    public void PlacementAddsResidentBytesCountsASharedModelOnceAndTakesTheLargestActivations()
    {
        GrainMemory Grain(string kind, int count, long weights, long activations, long shared = 0) => new()
        {
            Kind = kind, Count = count, Weights = weights, Gradients = kind == GrainMemory.Learner ? 10 : 0, OptimizerState = kind == GrainMemory.Learner ? 20 : 0,
            SharedWeights = shared, SharedDtype = shared > 0 ? ScalarType.BFloat16 : null, Activations = activations, Phases = [],
        };
        GrainMemory[] grains = [Grain(GrainMemory.Learner, 1, 100, 50, shared: 1000), Grain(GrainMemory.Generator, 2, 7, 30, shared: 1000), Grain(GrainMemory.Scorer, 1, 400, 60)];

        var one = Placement.Of(grains, devices: 1, deviceBytes: 1700, overheadBytes: 5);
        var device = Assert.Single(one.Loads);
        Assert.Equal(100 + 10 + 20 + 2 * 7 + 400, device.Resident);
        Assert.Equal(1000, device.Shared);
        Assert.Equal(60, device.Activations);
        Assert.Equal(544 + 1000 + 60 + 5, device.Total);
        Assert.True(one.Fits);
        Assert.False(Placement.Of(grains, 1, 1608, 5).Fits);
        Assert.Equal("does not fit on 1 × 1000 B: device 0 (learner, generator ×2, scorer) needs 1.6 KiB of 1000 B", Placement.Of(grains, 1, 1000, 5).Summary);

        var three = Placement.Of(grains, devices: 3, deviceBytes: 1500, overheadBytes: 5);
        Assert.Equal([130 + 1000 + 50 + 5, 407 + 1000 + 60 + 5, 7 + 1000 + 30 + 5], three.Loads.Select(l => l.Total));
        Assert.Equal(["learner"], three.Loads[0].Grains);
        Assert.Equal(["generator", "scorer"], three.Loads[1].Grains);
        Assert.True(three.Fits);
    }

    [Fact]
    public void LoraHoldsOneSharedBaseInItsDtypeAndTrainsFp32AdaptersAndHead()
    {
        // r 2 on all 7 linears, r·(in + out): q 32, k 24, v 24, o 32, gate 48, up 48, down 48 = 256; the critic adds its head: 264.
        var lora = new LoraConfig(2, 4, LoraTargets.Of([LoraTargets.AllLinearName]));
        Assert.Equal(256, ModelTensors.Elements(ModelTensors.Adapter(Llama, lora)));
        var learner = GrainPlans.Learner(Llama, Run(lora, ScalarType.BFloat16));
        Assert.Equal((256 + 264) * 4, learner.Weights);
        Assert.Equal(760 * 2, learner.SharedWeights);                         // the bf16 base
        Assert.Equal((256 + 264) * 4, learner.Gradients);
        Assert.Equal(2 * (256 + 264) * 4, learner.OptimizerState);
        var generator = GrainPlans.Generator(Llama, Run(lora, ScalarType.BFloat16));
        Assert.Equal(2 * 256 * 4, generator.Weights);                         // the last two versions' adapters
        Assert.Equal(learner.SharedModel, generator.SharedModel);

        var separate = GrainPlans.Learner(Llama, Run(lora, ScalarType.BFloat16) with { SeparateCritic = true });
        Assert.Equal((256 + 688) * 4, separate.Weights);                      // an fp32 critic model of its own
        Assert.Equal(2 * (256 + 688) * 4, separate.OptimizerState);
    }

    [Fact]
    public void TokenTrafficCountsEveryIdAndScoreOnce()
    {
        // B 4, P 3, R 2, one reward model: prompts to the driver 12; to generators 12, back 8 + 4; scorers 20, back 4;
        // energy reference 12, back 4 + 8; learner 20 + 12 → 116 values of 4 bytes.
        var wire = WireBytes.Of(Llama, Run());
        Assert.Equal(116 * 4, wire.TokensAndScores);
        Assert.Equal((12 + 12 + 8 + 4) * 4, wire.Rollouts);
        Assert.Equal((20 + 4) * 4, wire.Scoring);
        Assert.Equal((12 + 4 + 8) * 4, wire.EnergyReference);
        Assert.Equal((20 + 12) * 4, wire.Experience);
    }

    /// <summary>
    /// GPT-2 (width 4, MLP 16, vocabulary 10), one row of 2 prompt + 1 response tokens, no grad, probe at down_proj.
    /// Bytes as the code allocates them: mask 9; wte, wpe, their sum 48 each (153). The block: ln_1 48 (201); attention:
    /// c_attn 144, the fp32 mask bias 36 for a moment, log-sum-exp 24, output 48, the reshape 48, c_proj 48 (513), leaving
    /// c_proj's 48 (249); h 48, ln_2 48 (345); MLP: c_fc 192, GELU 192, c_proj 48, the probe's |inner| 192 and |output| 48:
    /// 1017, the peak.
    /// </summary>
    [Fact]
    public void NoGradScoringPeaksWhereTheHandCountSays()
    {
        Assert.Equal(1017, PassMemory.Score(Gpt2, rows: 1, prompt: 2, response: 1, null, ScalarType.Float32, EnergySite.DownProj));
    }

    /// <summary>
    /// The same pass with grad. Full fine-tuning saves: the embedding sum 48, ln_1's output 48, c_attn's 144, the mask
    /// bias 36, log-sum-exp 24, attention's output 48, the reshape 48, h 48, ln_2's output 48, c_fc's 192, GELU's 192,
    /// the block output 48, the final norm's output 48 (the head's weight trains), log-softmax 40 and exp 40: 1052.
    /// LoRA r 1 on every linear saves no embedding, no final norm output and no plain c_attn or c_fc output, but each
    /// adapted linear's A·x (12 each) and the sums that attention and GELU read: 1004.
    /// </summary>
    [Fact]
    public void TrainingSavesWhatTheBackwardFormulasRead()
    {
        var full = PassMemory.TraceScore(Gpt2, 1, 2, 1, Trains.Everything, null, ScalarType.Float32, EnergySite.DownProj);
        Assert.Equal(1052, full.Saved);
        var lora = new LoraConfig(1, 1, LoraTargets.Of([LoraTargets.AllLinearName]));
        Assert.Equal(1004, PassMemory.TraceScore(Gpt2, 1, 2, 1, Trains.Adapter, lora, ScalarType.Float32, EnergySite.DownProj).Saved);

        // Backward from the head: the narrowed logits' gradient (B, T, V) 120, hidden's 48 and the tied weight's 160 on
        // top of the 1064 alive after the pass; afterwards the entropy still holds log-softmax and exp (80) and 4 scalars.
        var step = PassMemory.TrainScore(Gpt2, 1, 2, 1, Trains.Everything, null, ScalarType.Float32, EnergySite.DownProj);
        Assert.Equal(1064 + 120 + 48 + 160, step.Peak);
        Assert.Equal(80 + 16, step.Retained);
    }
}
