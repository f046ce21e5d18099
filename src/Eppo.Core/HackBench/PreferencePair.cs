namespace Eppo.Core.HackBench;

/// <summary>
/// One labelled comparison for reward-model training. ChosenGold/RejectedGold are the gold scores (for evaluation
/// only; the proxy RM must not see them). Flipped: the label noise turned the annotator's preference around.
/// </summary>
public sealed record PreferencePair(
    HackBenchPrompt Prompt,
    string Chosen,
    string Rejected,
    float ChosenGold,
    float RejectedGold,
    bool Flipped)
{
    /// <summary>The label agrees with the gold judge (false on gold ties).</summary>
    public bool AgreesWithGold => ChosenGold > RejectedGold;
}
