using Eppo.Core.Model;

namespace Eppo.Core.Evaluation;

/// <summary>
/// A policy's samples on the evaluation prompts. ProbeSite is the run's energy site (the one its summary reports);
/// every sample still carries all four sites. SamplingSeed and the samples' prompt ids decide pairing.
/// </summary>
public sealed record PolicyEvaluation(string Label, EnergySite ProbeSite, long SamplingSeed, IReadOnlyList<EvaluationSample> Samples)
{
    public int Count => Samples.Count;

    public float[] Gold() => Samples.Select(s => s.Gold.Score).ToArray();

    public EvaluationSummary Summary() => EvaluationMetrics.Summarize(this);
}
