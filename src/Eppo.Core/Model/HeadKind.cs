namespace Eppo.Core.Model;

/// <summary>Which head sits on the shared decoder trunk.</summary>
public enum HeadKind
{
    /// <summary>lm_head: next-token logits (B, T, V); optionally tied to the token embedding.</summary>
    LanguageModel,

    /// <summary>value_head: critic value per token (B, T).</summary>
    Value,

    /// <summary>score: reward per token (B, T); the sequence reward is read at the last non-pad token.</summary>
    Reward,

    /// <summary>ODIN's score (2 × C): a quality row and a length row; the reward a policy sees is the quality row's.</summary>
    OdinReward,

    /// <summary>InfoRM's score: an encoder to a latent's (μ, log σ²) and a decoder to the reward; scoring decodes μ.</summary>
    InfoReward,
}

public static class HeadKinds
{
    /// <summary>Whether the head scores responses (a reward model of any kind).</summary>
    public static bool IsReward(this HeadKind kind) => kind is HeadKind.Reward or HeadKind.OdinReward or HeadKind.InfoReward;
}
