using Eppo.Contracts;

namespace Eppo.Core.Preparation;

/// <summary>
/// A rough upper estimate of what a run trained from scratch needs in memory, in doubles so that no product overflows:
/// the learner's actor, critic (each with gradients and two Adam moments) and frozen reference, one policy copy per
/// generator, and the activations of one learner minibatch over the model's whole context. Only for refusing specs
/// that cannot fit anywhere; it is not a capacity planner.
/// </summary>
public static class MemoryEstimate
{
    /// <summary>Above this a spec is refused.</summary>
    public const double LimitBytes = 256.0 * (1L << 30);

    public static double Parameters(ModelSpec m, int vocabSize)
    {
        double h = m.HiddenSize, i = m.IntermediateSize, v = vocabSize;
        return 2 * v * h + m.Layers * (4 * h * h + 3 * h * i + 2 * h);   // embeddings and head (untied, the worst case) + blocks
    }

    public static double Bytes(RunSpec spec, int vocabSize, int contextTokens)
    {
        var parameters = Parameters(spec.Model, vocabSize);
        var weights = 4 * parameters * (2 * 4 + 1 + spec.Generators);
        double h = spec.Model.HiddenSize, i = spec.Model.IntermediateSize;
        var activations = 4.0 * spec.MiniBatchSize * contextTokens * (spec.Model.Layers * (16 * h + 4 * i) + 2.0 * vocabSize);
        return weights + activations;
    }
}
