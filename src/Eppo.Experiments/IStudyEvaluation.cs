using Spectre.Console;

namespace Eppo.Experiments;

/// <summary>
/// How a study evaluates one seed's trained runs: by the task's gold judge on sampled answers
/// (<see cref="GoldEvaluation"/>, the demo's report) or by a judge of two answers (<see cref="JudgedEvaluation"/>, `eppo study`).
/// </summary>
public interface IStudyEvaluation<TSeed>
{
    /// <param name="runs">The seed's runs, trained, in the plan's order.</param>
    Task<TSeed> EvaluateAsync(int seed, IReadOnlyList<TrainedRun> runs, IAnsiConsole console, CancellationToken cancellation);
}
