namespace Eppo.Core.Model;

/// <summary>
/// A model's linears (<see cref="Projection"/>s) from its config alone: what a run spec's adapter targets are checked
/// against at start, and what a plan counts, without building the model. Tests hold it equal to the built modules.
/// </summary>
public static class ModelLinears
{
    /// <summary>In state-dict order; an untied language-model head last ("lm_head").</summary>
    public static IReadOnlyList<LinearShape> Of(ModelConfig config, HeadKind head = HeadKind.LanguageModel)
    {
        var list = Enumerable.Range(0, config.Layers).SelectMany(layer => Block(config, layer)).ToList();
        if (head == HeadKind.LanguageModel && !config.TieEmbeddings) list.Add(new LinearShape("lm_head", config.HiddenSize, config.VocabSize, false));
        return list;
    }

    /// <summary>The paths of <see cref="Of"/>.</summary>
    public static IEnumerable<string> Paths(ModelConfig config, HeadKind head = HeadKind.LanguageModel) => Of(config, head).Select(l => l.Path);

    /// <summary>The linears of block <paramref name="layer"/>, in its state-dict order.</summary>
    public static IReadOnlyList<LinearShape> Block(ModelConfig config, int layer)
    {
        long c = config.HiddenSize, kv = (long)config.KvHeads * config.HeadDim, i = config.IntermediateSize;
        if (config.Family == ModelFamily.Llama)
        {
            var block = $"model.layers.{layer}";
            var bias = config.AttentionBias;
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
}
