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
                foreach (var linear in ModelLinears.Block(config, layer)) AddLinear(list, linear, dtype);
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
                foreach (var linear in ModelLinears.Block(config, layer)) AddLinear(list, linear, dtype);
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

    /// <summary>A LoRA adapter's tensors (fp32): lora_A (r, in) and lora_B (out, r) of every linear the targets match, in model order.</summary>
    public static IReadOnlyList<TensorShape> Adapter(ModelConfig config, LoraConfig lora)
    {
        var chosen = ModelLinears.Of(config).Where(l => lora.Targets.Matches(l.Path)).ToList();
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

    static void AddLinear(List<TensorShape> list, LinearShape linear, ScalarType dtype)
    {
        list.Add(new TensorShape($"{linear.Path}.weight", [linear.Out, linear.In], dtype));
        if (linear.Bias) list.Add(new TensorShape($"{linear.Path}.bias", [linear.Out], dtype));
    }
}
