using Eppo.Core.Evaluation;

namespace Eppo.Experiments;

/// <summary>
/// The evaluation of one intermediate actor checkpoint. Iteration = PPO iterations completed when it was saved (the
/// policy version), the same axis as <see cref="MethodRunResult.FinalIteration"/>. Evaluate it with the seed's
/// PolicyEvaluator so it is paired with the SFT baseline.
/// </summary>
public sealed record CheckpointEvaluation(int Iteration, PolicyEvaluation Evaluation);
