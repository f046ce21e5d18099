namespace Eppo.Core.Evaluation;

/// <summary>
/// Means over one evaluation's samples. EnergyLoss = ΔE_RL at the run's site; EnergySftReference = ΔE_SFT(x) at the
/// same site; EnergyRise = their difference; EnergyOnSftText = the policy on the fixed SFT answers; SqrtKl = √max(0, Kl).
/// BoilerplateShareBenign / CautionShareBenign: share of benign prompts answered with boilerplate / with boilerplate
/// or a refusal. NaN where a share has no benign prompts.
/// </summary>
public sealed record EvaluationSummary(
    int Count,
    double GoldReward,
    double ProxyReward,
    double MeanLength,
    double EnergyLoss,
    double EnergySftReference,
    double EnergyRise,
    double EnergyOnSftText,
    double Kl,
    double SqrtKl,
    double BoilerplateShareBenign,
    double CautionShareBenign,
    double CorrectShare);
