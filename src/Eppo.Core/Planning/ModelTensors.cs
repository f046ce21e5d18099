using Eppo.Core.Adapters;
using Eppo.Core.Model;

namespace Eppo.Core.Planning;

/// <summary>
/// The state dict of a <see cref="DecoderModel"/>, a <see cref="LoraAdapter"/> and an <see cref="AdapterCritic"/>,
/// counted from the config alone — names, shapes and dtypes in the modules' own order — so a 7B model is planned without
/// being built. Tests hold it equal to the modules as libtorch builds them (on the meta device for the large shapes).
/// </summary>
public static class ModelTensors
{
    /// <summary>One linear of the model: its state-dict path, in and out features, and whether it has a bias.</summary>
    public sealed record Linear(string Path, long In, long Out, bool Bias);

    /// <summary>
    /// Every tensor of a model with <paramref name="kind"/>'s head. A language model's weights may be kept in a
    /// 16-bit <paramref name="dtype"/> (a frozen base); every other head's model is fp32, as <see cref="DecoderModel"/> insists.
    /// </summary>
    public static IReadOnlyList<TensorShape> Of(ModelConfig config, HeadKind kind, ScalarType dtype = ScalarType.Float32)
    {
        if (kind is not (HeadKind.LanguageModel or HeadKind.Value or HeadKind.Reward))
            throw new EppoException($"planning counts language-model, value and reward heads, not {kind}");
        if (dtype != ScalarType.Float32 && kind != HeadKind.LanguageModel)
            throw new EppoException($"a {kind} model keeps fp32 weights; only a language model's frozen base may be {dtype}");
        var list = new List<TensorShape>();
        void Add(string name, ScalarType type, params long[] shape) => list.Add(new TensorShape(name, shape, type));
        long c = config.HiddenSize;
        if (config.Family == ModelFamily.Llama)
        {
            Add("model.embed_tokens.weight", dtype, config.VocabSize, c);
            foreach (var layer in Enumerable.Range(0, config.Layers))
            {
                var block = $"model.layers.{layer}";
                foreach (var linear in BlockLinears(config, layer)) AddLinear(list, linear, dtype);
                Add($"{block}.input_layernorm.weight", dtype, c);
                Add($"{block}.post_attention_layernorm.weight", dtype, c);
            }
            Add("model.norm.weight", dtype, c);
        }
        else
        {
            Add("transformer.wte.weight", dtype, config.VocabSize, c);
            Add("transformer.wpe.weight", dtype, config.MaxPositions, c);
            foreach (var layer in Enumerable.Range(0, config.Layers))
            {
                var block = $"transformer.h.{layer}";
                foreach (var norm in new[] { "ln_1", "ln_2" })
                {
                    Add($"{block}.{norm}.weight", dtype, c);
                    Add($"{block}.{norm}.bias", dtype, c);
                }
                foreach (var linear in BlockLinears(config, layer)) AddLinear(list, linear, dtype);
            }
            Add("transformer.ln_f.weight", dtype, c);
            Add("transformer.ln_f.bias", dtype, c);
        }
        switch (kind)
        {
            case HeadKind.LanguageModel when !config.TieEmbeddings: Add("lm_head.weight", dtype, config.VocabSize, c); break;
            case HeadKind.Value: Add("value_head.weight", ScalarType.Float32, 1, c); break;
            case HeadKind.Reward: Add("score.weight", ScalarType.Float32, 1, c); break;
        }
        return list;
    }

    /// <summary>The linears of a model in <see cref="DecoderModel.Projections"/> order: an untied LM head (libtorch lists the model's direct child first), then the blocks'.</summary>
    public static IReadOnlyList<Linear> Linears(ModelConfig config, HeadKind kind = HeadKind.LanguageModel)
    {
        var list = new List<Linear>();
        if (kind == HeadKind.LanguageModel && !config.TieEmbeddings) list.Add(new Linear("lm_head", config.HiddenSize, config.VocabSize, false));
        list.AddRange(Enumerable.Range(0, config.Layers).SelectMany(layer => BlockLinears(config, layer)));
        return list;
    }

    /// <summary>A LoRA adapter's tensors (fp32): lora_A (r, in) and lora_B (out, r) of every linear the targets match, in model order.</summary>
    public static IReadOnlyList<TensorShape> Adapter(ModelConfig config, LoraConfig lora)
    {
        var chosen = Linears(config).Where(l => lora.Targets.Matches(l.Path)).ToList();
        if (chosen.Count == 0) throw new EppoException("model.adapter.targets: match no linear of the model");
        return chosen.SelectMany(l => new[]
        {
            new TensorShape($"{l.Path}.lora_A.weight", [lora.Rank, l.In], ScalarType.Float32),
            new TensorShape($"{l.Path}.lora_B.weight", [l.Out, lora.Rank], ScalarType.Float32),
        }).ToList();
    }

    /// <summary>A critic on a shared base: its own adapter ("adapter." + the adapter's names) and a value head (1, C).</summary>
    public static IReadOnlyList<TensorShape> AdapterCritic(ModelConfig config, LoraConfig lora) =>
    [
        .. Adapter(config, lora).Select(t => t with { Name = $"adapter.{t.Name}" }),
        new TensorShape("value_head.weight", [1, config.HiddenSize], ScalarType.Float32),
    ];

    public static long Elements(IEnumerable<TensorShape> tensors) => tensors.Sum(t => t.Elements);

    public static long Bytes(IEnumerable<TensorShape> tensors) => tensors.Sum(t => t.Bytes);

    static IEnumerable<Linear> BlockLinears(ModelConfig config, int layer)
    {
        long c = config.HiddenSize, kv = (long)config.KvHeads * config.HeadDim, i = config.IntermediateSize;
        if (config.Family == ModelFamily.Llama)
        {
            var block = $"model.layers.{layer}";
            bool bias = config.AttentionBias;
            return
            [
                new($"{block}.self_attn.q_proj", c, c, bias), new($"{block}.self_attn.k_proj", c, kv, bias),
                new($"{block}.self_attn.v_proj", c, kv, bias), new($"{block}.self_attn.o_proj", c, c, false),
                new($"{block}.mlp.gate_proj", c, i, false), new($"{block}.mlp.up_proj", c, i, false), new($"{block}.mlp.down_proj", i, c, false),
            ];
        }
        var h = $"transformer.h.{layer}";
        return
        [
            new($"{h}.attn.c_attn", c, 3 * c, true), new($"{h}.attn.c_proj", c, c, true),
            new($"{h}.mlp.c_fc", c, i, true), new($"{h}.mlp.c_proj", i, c, true),
        ];
    }

    static void AddLinear(List<TensorShape> list, Linear linear, ScalarType dtype)
    {
        list.Add(new TensorShape($"{linear.Path}.weight", [linear.Out, linear.In], dtype));
        if (linear.Bias) list.Add(new TensorShape($"{linear.Path}.bias", [linear.Out], dtype));
    }
}
