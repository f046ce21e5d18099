namespace Eppo.Core.Model;

/// <summary>
/// The state-dict paths of a model's linears (<see cref="Projection"/>s), from its config alone: what a run spec's
/// adapter targets are checked against at start, without building the model.
/// </summary>
public static class LinearPaths
{
    static readonly string[] Llama = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"];
    static readonly string[] Gpt2 = ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"];

    /// <summary>In state-dict order; an untied language-model head last ("lm_head").</summary>
    public static IEnumerable<string> Of(ModelConfig config, HeadKind head = HeadKind.LanguageModel)
    {
        var (prefix, names) = config.Family == ModelFamily.Llama ? ("model.layers", Llama) : ("transformer.h", Gpt2);
        for (var layer = 0; layer < config.Layers; layer++)
            foreach (var name in names)
                yield return $"{prefix}.{layer}.{name}";
        if (head == HeadKind.LanguageModel && !config.TieEmbeddings) yield return "lm_head";
    }
}
