using Eppo.Core.Ppo;

namespace Eppo.Core.Learning;

/// <summary>The learner's non-tensor state, saved beside the weights so a resumed run continues bit for bit.</summary>
/// <param name="EnergyMoments">The spread scale's ΔE_SFT statistics per energy module (null when the scale is raw).</param>
/// <param name="RewardMoments">The spread scale's raw-score statistics (null when the scale is raw).</param>
public sealed record LearnerState(int PolicyVersion, int IterationsDone, double KlBeta, RunningMomentsState ScoreMoments,
    RunningMomentsState[]? EnergyMoments = null, RunningMomentsState? RewardMoments = null);
