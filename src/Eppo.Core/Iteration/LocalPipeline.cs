using Eppo.Contracts.Messages;
using Eppo.Core.Learning;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Preparation;

namespace Eppo.Core.Iteration;

/// <summary>
/// The iteration driver over in-process stages, without Orleans: the baseline for measuring Orleans' overhead, and
/// the reference the grain pipeline must match metric for metric under the same seed.
/// </summary>
public sealed class LocalPipeline : IDisposable
{
    readonly LocalStages stages;
    readonly IterationDriver driver;

    public LocalPipeline(RunSpec spec, PreparedModels models)
    {
        var task = TrainingTasks.For(spec);
        stages = new LocalStages(spec, task, models);
        driver = new IterationDriver(spec, task, stages);
    }

    public PpoLearner Learner => stages.Learner;

    public void Dispose() => stages.Dispose();

    /// <summary>Local stages complete synchronously, so waiting here blocks on nothing.</summary>
    public IterationMetrics RunIteration(int iteration) =>
        driver.RunAsync(iteration, stages.Learner.PolicyVersion, _ => { }).GetAwaiter().GetResult();
}
