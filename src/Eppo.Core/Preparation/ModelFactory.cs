using Eppo.Core.Model;
using Eppo.Contracts;

namespace Eppo.Core.Preparation;

/// <summary>The model shape a run trains from scratch: the spec's sizes, the task's vocabulary, the spec's probe site.</summary>
public static class ModelFactory
{
    public const int MaxPositions = 64;

    public static ModelConfig ConfigFor(RunSpec spec, int vocabSize)
    {
        var m = spec.Model;
        var family = m.Family == "gpt2" ? ModelFamily.Gpt2 : ModelFamily.Llama;
        return new ModelConfig(family, vocabSize, m.HiddenSize, m.Layers, m.Heads,
            family == ModelFamily.Gpt2 ? m.Heads : m.KvHeads, m.IntermediateSize, MaxPositions,
            ProbeSite: EnergySites.Parse(spec.ProbeSite)).Validate();
    }

    /// <summary>A new model with <paramref name="kind"/>'s head whose trunk (and LM head, if both have one) is copied from <paramref name="source"/>.</summary>
    public static DecoderModel CopyOf(DecoderModel source, HeadKind kind, int seed, EnergySite? site = null, int rewardLatent = 0)
    {
        var config = site is { } s ? source.Config with { ProbeSite = s } : source.Config;
        var copy = new DecoderModel(config, kind, seed, rewardLatent: rewardLatent);
        using var noGrad = no_grad();
        var from = source.state_dict();
        foreach (var (name, parameter) in copy.state_dict())
            if (from.TryGetValue(name, out var value) && value.shape.SequenceEqual(parameter.shape))
                parameter.copy_(value);
        return copy;
    }
}
