using Eppo.Core.Adapters;
using Eppo.Core.Model;
using Buffer = Eppo.Core.Planning.MemoryTrace.Buffer;

namespace Eppo.Core.Planning;

/// <summary>What trains in a pass, which decides what autograd saves: nothing (no grad), every weight, or an adapter on a frozen base.</summary>
internal enum Trains { Nothing, Everything, Adapter }

/// <summary>
/// One forward pass of <see cref="DecoderModel"/> replayed on a <see cref="MemoryTrace"/>: each method follows the module
/// of the same name in src/Eppo.Core/Model (and Adapters/LoraLayer.cs, Model/TeacherForcing.cs), allocating what that
/// code allocates in the same order and scopes. Sizes are for <paramref name="rows"/> × <paramref name="queries"/>
/// positions attending to <paramref name="keys"/> (more than the queries in a cached decoding step). The residual
/// stream and activations are fp32; a 16-bit base's linears cast their input down and their output back up.
/// Small tensors (per-token scalars, the norms' statistics) are left out.
/// </summary>
internal sealed class EagerPass(ModelConfig config, MemoryTrace t, long rows, long queries, long keys, Trains trains, LoraConfig? adapter, ScalarType weightDtype)
{
    const int F32 = 4;
    readonly long c = config.HiddenSize;
    readonly long kv = (long)config.KvHeads * config.HeadDim;
    readonly long inner = config.IntermediateSize;
    readonly int half = Checkpoints.SafetensorsDtype.SizeOf(weightDtype);

    bool Grad => t.Grad;

    /// <summary>Bytes of one fp32 value per query position, <paramref name="width"/> wide.</summary>
    double Tokens(double width, int bytes = F32) => (double)rows * queries * width * bytes;

    bool Adapted(string path) => adapter is not null && adapter.Targets.Matches(path);

    /// <summary>Whether the linear at <paramref name="path"/> saves its input for backward: its weight trains, or its adapter's lora_A does.</summary>
    bool SavesInput(string path) => Grad && (trains == Trains.Everything || (trains == Trains.Adapter && Adapted(path)));

    /// <summary>DecoderModel.Forward: the trunk, then the head; hands out hidden states, head output and energy.</summary>
    public Buffer[] Forward(HeadKind head, EnergySite? probe) => t.Scope(() =>
    {
        var headTrains = trains == Trains.Everything || head != HeadKind.LanguageModel;
        var (hidden, energy) = Trunk(probe, headSavesInput: Grad && headTrains);
        var output = head == HeadKind.LanguageModel ? LanguageHead() : t.Alloc(Tokens(1));
        return [hidden, output, energy];
    });

    /// <summary>DecoderTrunk.Forward: angles and mask, embeddings, every block, the final norm.</summary>
    public (Buffer Hidden, Buffer Energy) Trunk(EnergySite? probe, bool headSavesInput)
    {
        var kept = t.Scope(() =>
        {
            if (config.Family == ModelFamily.Llama)
            {
                t.Scope(() => [t.Alloc(Tokens(config.HeadDim / 2.0)), t.Alloc(Tokens(config.HeadDim))]);   // angles, doubled
                t.Alloc(Tokens(config.HeadDim), saved: true);                                                 // cos (B, 1, T, D)
                t.Alloc(Tokens(config.HeadDim), saved: true);                                                 // sin
            }
            t.Scope(() => t.Alloc(Tokens(keys, 1)));                                                          // the boolean mask (B, 1, T, Tk)
            var everything = trains == Trains.Everything;
            Buffer x;
            if (config.Family == ModelFamily.Llama)
            {
                x = t.Alloc(Tokens(c, half), saved: everything && half == F32);                               // embed_tokens
                if (half != F32) x = t.Alloc(Tokens(c), saved: everything);                                   // widened into the fp32 stream
            }
            else
            {
                t.Alloc(Tokens(c, half));                                                                     // wte
                if (half != F32) t.Alloc(Tokens(c));
                t.Alloc(Tokens(c, half));                                                                     // wpe
                if (half != F32) t.Alloc(Tokens(c));
                x = t.Alloc(Tokens(c), saved: everything);                                                    // their sum
            }
            for (var layer = 0; layer < config.Layers; layer++)
                x = Block(layer, layer == config.Layers - 1 ? probe : null);
            if (probe == EnergySite.Block) EnergyOf(c, c);
            var energy = t.Alloc(Tokens(1));
            var hidden = Norm(outputSaved: headSavesInput);
            return [hidden, energy];
        });
        return (kept[0], kept[1]);
    }

    /// <summary>LlamaBlock / Gpt2Block.Forward: its output is saved by the next norm (or the final one) whenever grad is on.</summary>
    Buffer Block(int layer, EnergySite? probe) => t.Scope(() =>
    {
        var llama = config.Family == ModelFamily.Llama;
        var prefix = llama ? $"model.layers.{layer}" : $"transformer.h.{layer}";
        var attentionIn = llama ? new[] { "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj" } : ["attn.c_attn"];
        Norm(outputSaved: attentionIn.Any(p => SavesInput($"{prefix}.{p}")));
        if (llama) LlamaAttention(prefix);
        else Gpt2Attention(prefix);
        t.Alloc(Tokens(c), saved: true);                                                                      // h = x + attention
        var mlpIn = llama ? new[] { "mlp.gate_proj", "mlp.up_proj" } : ["mlp.c_fc"];
        Norm(outputSaved: mlpIn.Any(p => SavesInput($"{prefix}.{p}")));
        if (llama) LlamaMlp(prefix, probe);
        else Gpt2Mlp(prefix, probe);
        return t.Alloc(Tokens(c), saved: true);                                                               // h + mlp
    });

    /// <summary>RmsNorm.forward (x², normed, × weight) or GPT-2's LayerNorm (one output).</summary>
    Buffer Norm(bool outputSaved) => t.Scope(() =>
    {
        if (config.Family == ModelFamily.Llama)
        {
            t.Alloc(Tokens(c));                                                                               // x²
            t.Alloc(Tokens(c), saved: trains == Trains.Everything);                                           // normed: the weight's gradient reads it
        }
        return t.Alloc(Tokens(c), saved: outputSaved);
    });

    void LlamaAttention(string prefix) => t.Scope(() =>
    {
        Projection($"{prefix}.self_attn.q_proj", c, c, outputSaved: false);
        Projection($"{prefix}.self_attn.k_proj", c, kv, outputSaved: false);
        Projection($"{prefix}.self_attn.v_proj", c, kv, outputSaved: false);
        Rotary(c, outputSaved: true);                                                                         // q: attention saves it
        Rotary(kv, outputSaved: false);                                                                       // k: into the cache, then repeated
        t.Alloc((double)rows * keys * c * F32, saved: true);                                                  // k repeated to every head (B, H, Tk, D)
        t.Alloc((double)rows * keys * c * F32, saved: true);                                                  // v likewise
        Attention();
        t.Alloc(Tokens(c), saved: SavesInput($"{prefix}.self_attn.o_proj"));                                 // transpose → reshape copies
        return [Projection($"{prefix}.self_attn.o_proj", c, c, outputSaved: false)];
    });

    void Gpt2Attention(string prefix) => t.Scope(() =>
    {
        Projection($"{prefix}.attn.c_attn", c, 3 * c, outputSaved: true);                                   // q, k, v are views of it
        Attention();
        t.Alloc(Tokens(c), saved: SavesInput($"{prefix}.attn.c_proj"));
        return [Projection($"{prefix}.attn.c_proj", c, c, outputSaved: false)];
    });

    /// <summary>
    /// scaled_dot_product_attention with a boolean mask: libtorch turns the mask into an additive fp32 one (B, 1, T, Tk)
    /// that the fused kernels read (and keep for backward), and the output (B, T, C) is saved.
    /// </summary>
    void Attention()
    {
        var bias = (double)rows * queries * keys * F32;
        if (Grad) t.Alloc(bias, saved: true);
        else t.Transient(bias);
        t.Alloc(Tokens(config.Heads), saved: true);                                                           // log-sum-exp per head
        t.Alloc(Tokens(c), saved: true);
    }

    /// <summary>RotaryEmbedding.Apply: −x₂, cat, x·cos, rotated·sin, their sum (only cos and sin are saved for the products).</summary>
    Buffer Rotary(long width, bool outputSaved) => t.Scope(() =>
    {
        t.Alloc(Tokens(width / 2.0));
        t.Alloc(Tokens(width));
        t.Alloc(Tokens(width));
        t.Alloc(Tokens(width));
        return t.Alloc(Tokens(width), saved: outputSaved);
    });

    void LlamaMlp(string prefix, EnergySite? probe) => t.Scope(() =>
    {
        Projection($"{prefix}.mlp.gate_proj", c, inner, outputSaved: true);                                  // SiLU's backward reads its input
        Projection($"{prefix}.mlp.up_proj", c, inner, outputSaved: true);                                    // the product's backward reads both factors
        t.Alloc(Tokens(inner), saved: true);                                                                  // SiLU(gate)
        t.Alloc(Tokens(inner), saved: SavesInput($"{prefix}.mlp.down_proj"));                               // · up
        var output = Projection($"{prefix}.mlp.down_proj", inner, c, outputSaved: false);
        MlpEnergy(probe, linears: 3);
        return [output];
    });

    void Gpt2Mlp(string prefix, EnergySite? probe) => t.Scope(() =>
    {
        Projection($"{prefix}.mlp.c_fc", c, inner, outputSaved: true);                                       // GELU's backward reads its input
        t.Alloc(Tokens(inner), saved: SavesInput($"{prefix}.mlp.c_proj"));                                   // GELU
        var output = Projection($"{prefix}.mlp.c_proj", inner, c, outputSaved: false);
        MlpEnergy(probe, linears: 2);
        return [output];
    });

    /// <summary>The probe's |·| of the MLP's tensors at its site (Model/Energy.cs), in the final block only.</summary>
    void MlpEnergy(EnergySite? probe, int linears)
    {
        switch (probe)
        {
            case EnergySite.Mlp: EnergyOf(c, c); break;
            case EnergySite.DownProj: EnergyOf(inner, c); break;
            case EnergySite.MlpLinears: EnergyOf(c, inner, c, inner, inner, c); break;
            case EnergySite.MlpOutputs: EnergyOf(linears == 3 ? [inner, inner, c] : [inner, c]); break;
        }
    }

    void EnergyOf(params long[] widths)
    {
        foreach (var width in widths) t.Alloc(Tokens(width));
    }

    /// <summary>
    /// Projection.Forward: a 16-bit weight computes on a cast-down copy of its input and casts the result up; an
    /// adapted layer adds LoraLayer.Delta (A·x and B·A·x in its own scope, the scaled delta moved out) and the sum.
    /// </summary>
    Buffer Projection(string path, long inFeatures, long outFeatures, bool outputSaved)
    {
        var adapted = Adapted(path);
        if (half != F32)
        {
            t.Alloc(Tokens(inFeatures, half));
            t.Alloc(Tokens(outFeatures, half));
        }
        var y = t.Alloc(Tokens(outFeatures), saved: outputSaved && !adapted);
        if (!adapted) return y;
        t.Scope(() =>
        {
            t.Alloc(Tokens(adapter!.Rank), saved: true);                                                      // A·x: lora_B's weight gradient reads it
            t.Alloc(Tokens(outFeatures));                                                                     // B·A·x
            return t.Alloc(Tokens(outFeatures));                                                              // · s
        });
        return t.Alloc(Tokens(outFeatures), saved: outputSaved);
    }

    /// <summary>DecoderModel.TiedHead or an untied lm_head: (B, T, V) fp32 logits (computed in the weights' dtype first when they are 16-bit).</summary>
    Buffer LanguageHead()
    {
        long vocab = config.VocabSize;
        if (config.TieEmbeddings || !Adapted("lm_head"))
        {
            if (half != F32)
            {
                t.Alloc(Tokens(c, half));
                t.Alloc(Tokens(vocab, half));
            }
            return t.Alloc(Tokens(vocab));
        }
        return Projection("lm_head", c, vocab, outputSaved: false);
    }
}
