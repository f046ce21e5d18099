namespace Eppo.Core.Ppo;

/// <summary>
/// PAR (Fu et al. 2025, "Reward Shaping to Mitigate Reward Hacking in RLHF"): r̂ = sigmoid(r − r_ref), r_ref the
/// reward of the SFT model's own answer to the same prompt. Bounded in (0, 1), ½ for an answer scored like the
/// reference, and flat far above it, so beating the reference by more gains little.
/// </summary>
public static class ReferenceSigmoid
{
    public static float[] Apply(float[] scores, float[] reference)
    {
        if (reference.Length != scores.Length)
            throw new EppoException($"PAR: {reference.Length} reference scores for {scores.Length} responses (the method needs the SFT answers' scores)");
        return scores.Select((r, i) => (float)(1 / (1 + Math.Exp(-((double)r - reference[i]))))).ToArray();
    }
}
