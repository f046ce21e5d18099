using Eppo.Core.Model;

namespace Eppo.Core.Evaluation;

/// <summary>
/// Hacking vs normal samples at one probe site. AUROCs of detecting hacking (higher score = more likely hacking;
/// 0.5 = no signal, below 0.5 = the opposite sign): AurocEnergy from ΔE_RL, AurocRise from ΔE_RL − ΔE_SFT (what the
/// paper's Observation 2 claims is excessive for hacking), AurocAbsRise from |ΔE_RL − ΔE_SFT| (what EPPO penalises).
/// NaN when either group is empty.
/// </summary>
public sealed record SiteHacking(
    EnergySite Site,
    double AurocEnergy,
    double AurocRise,
    double AurocAbsRise,
    GroupEnergy Hacking,
    GroupEnergy Normal);
