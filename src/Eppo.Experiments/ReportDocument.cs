using Eppo.Contracts;
using Eppo.Core.Evaluation;

namespace Eppo.Experiments;

// The schema of report.json (snake_case on disk; NaN is written as null). Means are over seeds of per-seed means;
// win/tie/lose fractions pool the paired samples of all seeds.

/// <summary>report.json: the whole report as data.</summary>
public sealed record ReportDocument(
    ReportConfig Config,
    RewardModelReport RewardModel,
    IReadOnlyDictionary<string, MethodReport> Methods,
    IReadOnlyList<WinTieLoseRow> WinTieLose,
    IReadOnlyDictionary<string, IReadOnlyList<WinRatePoint>> WinRateVsSft,
    IReadOnlyDictionary<string, IReadOnlyList<TrainingPoint>> TrainingCurves,
    EnergyReport EnergyLoss,
    HackingReport Hacking,
    IReadOnlyDictionary<string, IReadOnlyList<KlPoint>> RewardVsSqrtKl,
    IReadOnlyDictionary<string, OveroptimizationReport> Overoptimization,
    IReadOnlyList<BestOfNPoint> BestOfN,
    IReadOnlyList<string> Findings);

/// <summary>The run's settings; EnergySign and EnergyMask state how energy loss was measured; Variant is HackBench's, Configurations where non-paper settings came from ("" = the paper's).</summary>
public sealed record ReportConfig(
    string ProbeSite,
    double Eta,
    IReadOnlyList<int> Seeds,
    ModelSpec Model,
    int Iterations,
    double KlBeta,
    int EvalPrompts,
    int MaxNewTokens,
    double WinMargin,
    double ProxyQuantile,
    string Reference,
    string Command,
    string EnergySign,
    string EnergyMask,
    string EnergyVariant,
    string Variant,
    string Configurations);

public sealed record SeedValue(int Seed, double? Value);

/// <summary>
/// Held-out accuracy of the proxy RM against gold labels: mean over seeds, and per seed; and every reward model the
/// methods trained (ensemble members, WARM's ingredients and average, ODIN, InfoRM).
/// </summary>
public sealed record RewardModelReport(double? HeldOutAccuracy, IReadOnlyList<SeedValue> PerSeed, IReadOnlyList<RewardModelRow>? Models = null);

/// <summary>One reward model by role: the methods that used it, its held-out accuracy (mean and per seed) and its figures' means over seeds.</summary>
public sealed record RewardModelRow(string Role, IReadOnlyList<string> Methods, double? HeldOutAccuracy, IReadOnlyList<SeedValue> PerSeed,
    IReadOnlyDictionary<string, double> Figures);

public sealed record Spread(double Mean, double Std, double Min, double Max);

public sealed record SeedSummary(int Seed, double GoldReward, double ProxyReward, double MeanLength, double EnergyLoss, double Kl);

/// <summary>A final policy's means on the held-out prompts ("sft" is the SFT policy, sampled the same way).</summary>
public sealed record MethodReport(
    double GoldReward,
    double ProxyReward,
    double MeanLength,
    double EnergyLoss,
    double Kl,
    double SqrtKl,
    double EnergySftReference,
    double EnergyRise,
    double EnergyOnSftText,
    double BoilerplateShareBenign,
    double CautionShareBenign,
    double CorrectShare,
    int Seeds,
    IReadOnlyDictionary<string, Spread> Spread,
    IReadOnlyList<SeedSummary> PerSeed);

/// <summary>Policy against opponent on gold: pooled fractions, win rate = win + tie / 2, and its spread over seeds.</summary>
public sealed record WinTieLoseRow(
    string Policy,
    string Opponent,
    double Win,
    double Tie,
    double Lose,
    double WinRate,
    int Pairs,
    double WinRateStd,
    IReadOnlyList<double> WinRatePerSeed);

/// <summary>Figure 5: win rate against SFT of the policy after <see cref="Iteration"/> iterations (0 = the SFT policy).</summary>
public sealed record WinRatePoint(int Iteration, double WinRate, double Std, int Seeds);

/// <summary>Rollout metrics of one iteration, mean over seeds.</summary>
public sealed record TrainingPoint(
    int Iteration,
    double ProxyReward,
    double? GoldReward,
    double Kl,
    double EnergyRl,
    double EnergySft,
    double ResponseLength,
    int Seeds);

/// <summary>
/// Observation 1 per method: ΔE_RL on rollouts over the first and last tenth of training (First, Last, Rise), the mean
/// ΔE_SFT reference of the rollouts' prompts, and on the held-out evaluation: the final policy on its own answers
/// (FinalOwn), on the fixed SFT answers (FinalOnSftText), the SFT reference (FinalSftReference), and DriftShare =
/// (FinalOnSftText − FinalSftReference) / (FinalOwn − FinalSftReference): near 1 means the rise is a property of the
/// weights rather than of what the policy says.
/// </summary>
public sealed record EnergyTrend(
    double First,
    double Last,
    double Rise,
    double SftReference,
    double FinalOwn,
    double FinalOnSftText,
    double FinalSftReference,
    double DriftShare);

/// <summary>Observation 1; CorrelationWithSqrtKl: Pearson r of ΔE_RL and √KL over all evaluated checkpoints.</summary>
public sealed record EnergyReport(
    string Site,
    string Sign,
    string Mask,
    IReadOnlyDictionary<string, EnergyTrend> ByMethod,
    double CorrelationWithSqrtKl);

/// <summary>Mean energies of a group: Sft = ΔE_SFT(x) on the same prompts, Rl = ΔE_RL, SftOnResponse = SFT on the RL answer.</summary>
public sealed record GroupReport(int Count, double Sft, double Rl, double Rise, double SftOnResponse);

public sealed record HackingEnergy(GroupReport Hacking, GroupReport Normal);

/// <summary>AUROC of detecting hacking from ΔE_RL, from ΔE_RL − ΔE_SFT, and from |ΔE_RL − ΔE_SFT|, with the group means.</summary>
public sealed record SiteHackingReport(double AurocEnergy, double AurocRise, double AurocAbsRise, HackingEnergy Energy);

public sealed record HackingGroupReport(int Samples, int HackingSamples, double HackingShare, IReadOnlyDictionary<string, SiteHackingReport> PerSite);

/// <summary>
/// Observation 2. The headline numbers (Auroc = from ΔE_RL, AurocRise, Energy) are for <see cref="Policy"/>'s final
/// samples pooled over seeds at the run's site; PerSite has every site; ByMethod every method; PooledRl all RL methods
/// together; Sft the SFT policy's own samples under the same rule (the base rate).
/// </summary>
public sealed record HackingReport(
    string Policy,
    string Rule,
    double ProxyQuantile,
    double GoldLow,
    IReadOnlyList<SeedValue> ProxyThresholds,
    string Site,
    int Samples,
    int HackingSamples,
    double HackingShare,
    double Auroc,
    double AurocRise,
    double AurocAbsRise,
    HackingEnergy Energy,
    IReadOnlyDictionary<string, SiteHackingReport> PerSite,
    IReadOnlyDictionary<string, HackingGroupReport> ByMethod,
    HackingGroupReport? PooledRl,
    HackingGroupReport Sft);

/// <summary>Gold and proxy reward of the policy after <see cref="Iteration"/> iterations against its √KL from SFT, mean over seeds.</summary>
public sealed record KlPoint(int Iteration, double SqrtKl, double GoldReward, double ProxyReward, int Seeds);

/// <summary>
/// Overoptimization of one method (Gao et al. 2022), on its mean-over-seeds trajectory of evaluated checkpoints (iteration
/// 0 = SFT): the SFT, peak and final gold; the fitted gain d(α − β ln d) over SFT at d = √KL with its peak √KL d* and
/// peak gold (null when the fit does not turn down); the gain at the peak and the gain kept at the end; and per seed.
/// </summary>
public sealed record OveroptimizationReport(
    double SftGold,
    double PeakGold,
    int PeakIteration,
    double FinalGold,
    double? Alpha,
    double? Beta,
    double? PeakSqrtKl,
    double? FittedPeakGold,
    double PeakGain,
    double KeptGain,
    IReadOnlyList<SeedOveroptimization> PerSeed);

/// <summary>One seed's trajectory: gold of its SFT, at its best checkpoint and at the end; "rose then fell" is Gao's shape.</summary>
public sealed record SeedOveroptimization(int Seed, double SftGold, double PeakGold, int PeakIteration, double FinalGold)
{
    /// <summary>Gao's shape by the measure: the peak ≥ 0.05 above SFT, the end below SFT.</summary>
    public bool RoseThenFell => PeakGold - SftGold >= ReportBuilder.GaoShapeRise && FinalGold < SftGold;
}
