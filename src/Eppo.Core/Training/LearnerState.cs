using Eppo.Core.Ppo;

namespace Eppo.Core.Training;

/// <summary>The learner's non-tensor state, saved beside the weights so a resumed run continues bit for bit.</summary>
public sealed record LearnerState(int PolicyVersion, int IterationsDone, double KlBeta, RunningMomentsState ScoreMoments);
