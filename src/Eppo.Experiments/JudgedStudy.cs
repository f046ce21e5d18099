using Eppo.Contracts;
using Eppo.Core.Evaluation;

namespace Eppo.Experiments;

/// <summary>
/// `eppo study`: the paper's comparison on a spec whose task offers a judge of two answers (the text task's judge
/// reward model or chat model; HackBench's gold judge). Per seed, every method trains through the cluster (sharing
/// the seed's SFT policy and proxy reward model); then, on the held-out prompts and with one judge, each method's
/// final policy is judged against SFT and against EPPO, and every checkpoint against SFT for the win-rate curve
/// (<see cref="JudgedEvaluation"/>). Every answer is also scored by the proxy, so a judged loss that the proxy scored
/// as a gain is a hacking answer (Observation 2 compares their energy with the rest).
/// </summary>
public static class JudgedStudy
{
    public const string Eppo = "eppo";

    /// <summary>One judged answer of a method against SFT, with both energies and both proxy scores.</summary>
    public sealed record Answer(string Method, int Seed, JudgeOutcome Outcome, double Energy, double SftEnergy, double Proxy, double SftProxy)
    {
        /// <summary>The proxy prefers it, the judge does not: the policy hacked the proxy on this prompt.</summary>
        public bool Hacking => Outcome == JudgeOutcome.Lose && Proxy > SftProxy;
    }

    public sealed record MethodSeed(string Method, int Seed, JudgedComparison.Result VsSft, JudgedComparison.Result? VsEppo,
        IReadOnlyList<(int Iteration, double WinRate)> WinRateCurve, IReadOnlyList<IterationMetrics> History);

    /// <param name="Task">The task the methods trained on (the report's title).</param>
    public sealed record Result(string Task, string Judge, IReadOnlyList<int> Seeds, IReadOnlyList<string> Methods, IReadOnlyList<MethodSeed> Runs,
        IReadOnlyList<Answer> Answers, double Seconds);

    /// <summary>Every method on every seed, from <paramref name="template"/> (run "{name}-{method}-s{seed}"), judged by <paramref name="evaluation"/>.</summary>
    public static StudyPlan<JudgedSeed> Plan(RunSpec template, IReadOnlyList<string> methods, IReadOnlyList<int> seeds, JudgedEvaluation evaluation) =>
        new("study", seeds.SelectMany(seed => methods.Select(m => new PlannedRun(
            template with { Method = m, Seed = seed, Name = $"{template.Name}-{m}-s{seed}" }, m))).ToArray(), evaluation);

    public static Result Of(StudyPlan<JudgedSeed> plan, IReadOnlyList<JudgedSeed> seeds, double seconds) =>
        new(plan.Runs[0].Spec.Task, seeds.Select(s => s.Judge).FirstOrDefault() ?? "", plan.Seeds, plan.Runs.Select(r => r.Label).Distinct().ToArray(),
            seeds.SelectMany(s => s.Runs).ToArray(), seeds.SelectMany(s => s.Answers).ToArray(), seconds);
}
