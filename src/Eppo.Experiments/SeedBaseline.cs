using Eppo.Core.Evaluation;

namespace Eppo.Experiments;

/// <summary>
/// What one seed shares across methods: the SFT policy's sampled evaluation (the opponent of every "vs SFT" number, and
/// the distribution the hacking rule's proxy threshold comes from) and the proxy RM's held-out accuracy against gold
/// labels (null when the RM was not trained here); and the SFT policy's best-of-n curve on the proxy (empty when not
/// sampled).
/// </summary>
public sealed record SeedBaseline(int Seed, PolicyEvaluation Sft, double? RewardHeldOutAccuracy, IReadOnlyList<BestOfNPoint>? BestOfN = null);
