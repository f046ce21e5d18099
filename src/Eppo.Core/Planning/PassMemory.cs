using Eppo.Core.Adapters;
using Eppo.Core.Model;
using Buffer = Eppo.Core.Planning.MemoryTrace.Buffer;

namespace Eppo.Core.Planning;

/// <summary>
/// Peak activation bytes of the passes the grains run, each replayed on a <see cref="MemoryTrace"/> as its code in
/// Model/TeacherForcing.cs, Adapters/AdapterCritic.cs and Generation/SequenceGenerator.cs allocates: weights are not
/// included, only what a pass creates.
/// </summary>
internal static class PassMemory
{
    const int F32 = 4, I64 = 8;

    /// <summary>What a training pass leaves for the optimizer step: its peak, and what stays alive after backward.</summary>
    public sealed record Training(long Peak, long Retained);

    /// <summary>
    /// TeacherForcing.Score without grad: the (B, T, V) logits, then log-softmax, exp and their product over the (B, R, V)
    /// response positions (the entropy), all alive until the scope ends.
    /// </summary>
    public static long Score(ModelConfig config, long rows, int prompt, int response, LoraConfig? adapter, ScalarType dtype, EnergySite? probe) =>
        TraceScore(config, rows, prompt, response, Trains.Nothing, adapter, dtype, probe).Peak;

    /// <summary>
    /// TeacherForcing.Score with grad, then its backward. The log-softmax and exp outputs stay saved after the policy's
    /// backward: the entropy, computed in the same pass and not in the loss, holds them until the minibatch ends.
    /// </summary>
    public static Training TrainScore(ModelConfig config, long rows, int prompt, int response, Trains trains, LoraConfig? adapter, ScalarType dtype, EnergySite? probe)
    {
        var t = TraceScore(config, rows, prompt, response, trains, adapter, dtype, probe);
        long tokens = prompt + response, vocab = config.VocabSize;
        var perResponse = (double)rows * response * vocab * F32;                  // one (B, R, V) fp32 tensor
        var perSequence = (double)rows * tokens * vocab * F32;                    // one (B, T, V)
        var weightGradient = trains == Trains.Everything ? (double)vocab * config.HiddenSize * F32 : 0;  // the head's, before it is accumulated
        var headBackward = Math.Max(2 * perResponse, Math.Max(perResponse + perSequence, perSequence + (double)rows * tokens * config.HiddenSize * F32 + weightGradient));
        var peak = Math.Max(t.Peak, t.Live + (long)headBackward);
        return new Training(peak, (long)(2 * perResponse) + 4L * rows * response * F32);
    }

    /// <summary>The critic's values: a whole value model, or the base read through the critic's adapter with its own head.</summary>
    public static long Values(ModelConfig config, long rows, int prompt, int response, Trains trains, LoraConfig? adapter, ScalarType dtype, EnergySite? probe)
    {
        var t = new MemoryTrace(trains != Trains.Nothing);
        var tokens = prompt + response;
        var pass = new EagerPass(config, t, rows, tokens, tokens, trains, adapter, dtype);
        t.Scope(() =>
        {
            if (adapter is null) return [pass.Forward(HeadKind.Value, probe)[1]];
            pass.Trunk(probe, headSavesInput: t.Grad);
            return [t.Alloc((double)rows * tokens * F32)];                    // value_head: (B, T)
        });
        return t.Peak;
    }

    /// <summary>TeacherForcing.Rewards: a reward model's pass and the last real column's score.</summary>
    public static long Rewards(ModelConfig config, long rows, int tokens)
    {
        var t = new MemoryTrace(grad: false);
        var pass = new EagerPass(config, t, rows, tokens, tokens, Trains.Nothing, null, ScalarType.Float32);
        t.Scope(() =>
        {
            pass.Forward(HeadKind.Reward, probe: null);
            t.Alloc((double)rows * tokens * I64);                                // mask · columns, for the argmax
            return t.Alloc(rows * F32);
        });
        return t.Peak;
    }

    /// <summary>How a generator picks tokens: greedy, or sampling (with top-k and top-p filtering when set).</summary>
    public sealed record Sampling(bool Sample, bool TopK, bool TopP)
    {
        public static readonly Sampling Greedy = new(false, false, false);

        /// <summary>TokenSampler.Pick's scratch per (row, vocabulary entry): scaled logits and softmax; top-k's mask; top-p's sort, order, cumulative mass and scatter.</summary>
        public int BytesPerLogit => !Sample ? 0 : 2 * F32 + (TopK ? 1 + F32 : 0) + (TopP ? 5 * F32 + I64 + 3 : 0);
    }

    /// <summary>
    /// SequenceGenerator.Generate: the KV cache (fp32, (B, KV, P + R, D) per layer for keys and values), the prompt pass
    /// whose (B, P, V) logits and (B, P, C) hidden states stay alive to the end, and one (B, V) logits tensor kept per
    /// decoding step (each step moves its last-column view out, which holds the step's whole head output); the peak is
    /// the prompt pass or the last step, whose attention repeats the full cache's keys and values.
    /// </summary>
    public static long Generate(ModelConfig config, long rows, int prompt, int newTokens, LoraConfig? adapter, ScalarType dtype, EnergySite? probe, Sampling sampling)
    {
        var t = new MemoryTrace(grad: false);
        long vocab = config.VocabSize, total = prompt + newTokens;
        t.Scope(() =>
        {
            t.Alloc((double)rows * prompt * I64 * 2);                            // prompt tokens and mask
            t.Scope(() =>                                                         // Positions.FromMask
            {
                for (var i = 0; i < 3; i++) t.Alloc((double)rows * prompt * I64);
                return t.Alloc((double)rows * prompt * I64);
            });
            t.Alloc(KvCache(config, rows, total));
            new EagerPass(config, t, rows, prompt, prompt, Trains.Nothing, adapter, dtype).Forward(HeadKind.LanguageModel, probe);
            // Steps 1 … R − 1: each keeps its token, log-prob, flags, position, the grown mask and its logits.
            for (var step = 1; step < newTokens; step++)
                t.Alloc(rows * (I64 + F32 + 1 + I64 + F32) + (double)rows * (prompt + step) * I64 + (double)rows * vocab * F32);
            t.Scope(() =>
            {
                t.Transient((double)rows * vocab * sampling.BytesPerLogit);
                t.Alloc((double)rows * vocab * F32);                             // log-softmax for the token's log-prob
                t.Alloc((double)rows * total * I64);                             // the mask, one column longer
                new EagerPass(config, t, rows, 1, total, Trains.Nothing, adapter, dtype).Forward(HeadKind.LanguageModel, probe);
                return [];
            });
            return [];
        });
        return t.Peak;
    }

    /// <summary>KvCache: fp32 keys and values (B, KV, <paramref name="positions"/>, D) for every layer, whatever the weights' dtype.</summary>
    public static long KvCache(ModelConfig config, long rows, long positions) =>
        2L * config.Layers * rows * config.KvHeads * positions * config.HeadDim * F32;

    internal static MemoryTrace TraceScore(ModelConfig config, long rows, int prompt, int response, Trains trains, LoraConfig? adapter, ScalarType dtype, EnergySite? probe)
    {
        var t = new MemoryTrace(trains != Trains.Nothing);
        long tokens = prompt + response, vocab = config.VocabSize;
        var pass = new EagerPass(config, t, rows, tokens, tokens, trains, adapter, dtype);
        t.Scope(() =>
        {
            pass.Forward(HeadKind.LanguageModel, probe);                          // hidden, (B, T, V) logits, energy
            var perResponse = (double)rows * response * vocab * F32;
            t.Alloc(perResponse, saved: true);                                    // log_softmax over the response columns
            t.Alloc((double)rows * response * F32);                               // gather: the tokens' log-probs
            t.Alloc(perResponse, saved: true);                                    // exp (entropy)
            t.Alloc(perResponse);                                                 // exp · log p
            return [t.Alloc((double)rows * response * F32), t.Alloc((double)rows * response * F32), t.Alloc(rows * F32)];
        });
        return t;
    }
}
