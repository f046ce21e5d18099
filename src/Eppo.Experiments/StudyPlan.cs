namespace Eppo.Experiments;

/// <summary>
/// What a study runs — `eppo demo`, each phase of `eppo tune`, `eppo study`: its runs (which methods or
/// configurations, which seeds) and how each seed's trained runs are evaluated. <see cref="StudyDriver"/> runs it;
/// <see cref="Name"/> begins its messages.
/// </summary>
public sealed record StudyPlan<TSeed>(string Name, IReadOnlyList<PlannedRun> Runs, IStudyEvaluation<TSeed> Evaluation)
{
    /// <summary>The seeds in the order the runs first name them.</summary>
    public IReadOnlyList<int> Seeds => Runs.Select(r => r.Spec.Seed).Distinct().ToArray();
}
