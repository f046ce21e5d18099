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
}
