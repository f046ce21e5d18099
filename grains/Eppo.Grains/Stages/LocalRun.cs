using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>
/// A run as a stage grain uses it on this silo, resolved once per activation from the <see cref="RunContext"/> the
/// calls carry (<see cref="Artifacts.RunInputs.ResolveAsync"/>): the spec with its inputs at local paths, and its task.
/// Model locations stay artifact locations (<see cref="Context"/>); each grain fetches only the models it holds.
/// </summary>
public sealed record LocalRun(RunContext Context, RunSpec Spec, ITrainingTask Task)
{
    public string RunId => Context.RunId;
}
