using Eppo.Contracts;
using Eppo.Core.Model;

namespace Eppo.Core.Preparation;

/// <summary>Which reward head a reward model trains, with its loss weights (WARM's ingredients are Bradley–Terry).</summary>
public sealed record RewardHeadOptions(RewardModelKind Kind, double OdinLengthWeight = 1, double OdinOrthogonalWeight = 1, int InformLatent = 0,
    double InformBeta = 1)
{
    public static readonly RewardHeadOptions BradleyTerry = new(RewardModelKind.BradleyTerry);

    public HeadKind HeadKind => Kind switch
    {
        RewardModelKind.Odin => HeadKind.OdinReward,
        RewardModelKind.InfoRm => HeadKind.InfoReward,
        _ => HeadKind.Reward,
    };

    /// <summary>The head <paramref name="kind"/> with the spec's weights; the options that kind does not use are left at their defaults.</summary>
    public static RewardHeadOptions For(RewardModelKind kind, RewardSpec reward) => kind switch
    {
        RewardModelKind.Odin => new(kind, reward.OdinLengthWeight, reward.OdinOrthogonalWeight),
        RewardModelKind.InfoRm => new(kind, InformLatent: reward.InformLatent, InformBeta: reward.InformBeta),
        _ => BradleyTerry,
    };
}
