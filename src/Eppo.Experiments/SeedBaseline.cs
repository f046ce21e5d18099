using Eppo.Core.Evaluation;

namespace Eppo.Experiments;

/// <summary>
/// What one seed shares across methods: the SFT policy's sampled evaluation (the opponent of every "vs SFT" number, and
/// the distribution the hacking rule's proxy threshold comes from) and the proxy RM's held-out accuracy against gold
/// labels (null when the RM was not trained here).
/// </summary>
public sealed record SeedBaseline(int Seed, PolicyEvaluation Sft, double? RewardHeldOutAccuracy);
