using Eppo.Contracts;
using Eppo.Core.Energy;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;
using Eppo.Grains.Hosting;
using Eppo.Grains.History;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace Eppo.Grains.Runs;

/// <summary>
/// The run grain's iterations: models prepared once, the learner initialised from the committed checkpoint, stage
/// grains kept placed, one iteration through <see cref="IterationDriver"/>, commits (checkpoint → history → state),
/// and the rollback to the last commit. Runs on the run grain's scheduler: it touches the grain's state directly, and
/// calls <paramref name="changed"/> when a stage begins and when an iteration ends (the grain pushes status to watchers).
/// <paramref name="spec"/> is the spec as stored at run start: its inputs are artifact locations, which only the
/// stages resolve (to read no file here).
/// </summary>
public sealed class RunProgress(
    string runId, RunSpec spec, RunGrainState state, Func<Task> save, Action changed, IGrainFactory grains, EppoResilience resilience, EppoMetrics metrics,
    IRunHistoryStore historyStore, StagePlacement placement, ILogger logger)
{
    GrainStages? stages;
    IterationDriver? driver;  // kept between iterations: with overlap it holds the next iteration's rollouts
    LearnerReplicas? learners;
    bool learnerReady;

    public RunHistory History { get; } = new(historyStore, runId);
    public IReadOnlyList<string> GeneratorHosts => stages?.GeneratorHosts ?? [];
    public bool LearnerReady => learnerReady;

    RunContext Context => new()
    {
        RunId = runId, SpecJson = state.SpecJson!, SftPath = state.Models?.SftPath ?? "", RewardPaths = state.Models?.RewardPaths ?? [],
    };

    GrainStages Stages => stages ??= new GrainStages(grains, resilience, Context, spec, Learners, CommitAsync);

    /// <summary>The data-parallel learner replicas (one, replica 0, unless the spec asks for more).</summary>
    public LearnerReplicas Learners => learners ??= new LearnerReplicas(grains, resilience, Context, spec, () => placement.LearnerHosts, logger);

    public async Task RunIterationAsync()
    {
        if (state.Models is null)
        {
            state.Stage = "prepare models";
            changed();
            state.Models = await resilience.CallAsync(() => grains.GetGrain<IModelTrainerGrain>(ModelPreparation.CacheKey(spec)).PrepareAsync(state.SpecJson!));
            stages = null; // built before the models were known
            driver = null;
            learners = null;
            await save();
        }
        if (!learnerReady)
        {
            state.Stage = "initialise learner";
            changed();
            state.PolicyVersion = await resilience.CallAsync(() =>
                grains.GetGrain<ILearnerGrain>(runId).InitializeAsync(Context, state.LastCheckpoint, state.CommittedIteration));
            learnerReady = true;
        }
        await placement.SpreadAsync(runId, Stages);
        // Replica 0 serves the generators this iteration's policy: it, and every other replica, must hold the run's state.
        if (spec.LearnerReplicas > 1) await Learners.EnsureAsync(state.Iteration);
        driver ??= new IterationDriver(spec, TrainingTasks.For(spec), Stages);
        await driver.RunAsync(state.Iteration, state.PolicyVersion, stage =>
        {
            state.Stage = stage;
            changed();
        }, done =>
        {
            var m = done.Metrics;
            state.Iteration = m.Iteration + 1;
            state.PolicyVersion = m.PolicyVersion;
            state.HackingAlarm = HackingAlarm.Raised(m.HackingAlarmShare);
            History.Add(m);
            metrics.RecordIteration(runId, spec.Method, m, done.EnergyRl, responseEnergySft: done.EnergySft);
        });
        state.Stage = "running";
        // No write here: an iteration after the last checkpoint is rolled back on re-activation anyway, so persisting
        // it would cost a storage round trip per iteration and buy nothing. Commits and state changes are written.
        state.UpdatedAt = DateTimeOffset.UtcNow;
        changed();
    }

    /// <summary>
    /// The checkpoint is written (published) first, then the iterations it covers are appended to the history; only
    /// then does the persisted pointer move. A crash in between leaves the previous checkpoint as the run's state.
    /// </summary>
    public async Task CommitAsync()
    {
        if (spec.LearnerReplicas > 1) await Learners.VerifyAsync(state.Iteration);
        var checkpoint = await resilience.CallAsync(() => grains.GetGrain<ILearnerGrain>(runId).CheckpointAsync(state.Iteration));
        await History.CommitAsync(checkpoint);
        state.LastCheckpoint = checkpoint;
        state.CommittedIteration = state.Iteration;
        await save();
    }

    /// <summary>An iteration went through after failed attempts: the retry reason no longer applies.</summary>
    public void MovingAgain(int attempts)
    {
        logger.LogWarning("run {Run}: moving again after {Attempts} failed attempt(s)", runId, attempts);
        if (state.State is not RunState.Failed) state.Reason = null;
    }

    /// <summary>After a failed attempt that will be retried: the iteration is replayed identically from the last commit (seeds and prompts are functions of it).</summary>
    public async Task RetryLaterAsync(Exception e, int attempt, TimeSpan delay)
    {
        var message = e.GetBaseException().Message;
        logger.LogWarning("run {Run}: attempt {Attempt} failed in stage {Stage} at iteration {Iteration} ({Error}); back to iteration {Committed}, retrying in {Delay:F1} s",
            runId, attempt, state.Stage, state.Iteration, message, state.CommittedIteration, delay.TotalSeconds);
        state.Reason = $"retrying (attempt {attempt}) after stage '{state.Stage}', iteration {state.Iteration}: {message}";
        await RollBackAsync();
        state.Stage = "waiting to retry";
    }

    /// <summary>After a failure that ends the run: the reason names stage and iteration; the last good checkpoint stays the run's state.</summary>
    public async Task FailAsync(Exception e)
    {
        logger.LogError(e, "run {Run} failed in stage {Stage} at iteration {Iteration}", runId, state.Stage, state.Iteration);
        state.Reason = $"stage '{state.Stage}', iteration {state.Iteration}: {(e is AggregateException { InnerException: { } inner } ? inner : e).Message}";
        await RollBackAsync();
    }

    /// <summary>Back to the last commit: iteration counter, history, and a learner to be reloaded from the checkpoint.</summary>
    public async Task RollBackAsync()
    {
        state.Iteration = state.CommittedIteration;
        learnerReady = false;
        driver?.Discard();
        await History.ResetAsync(state.CommittedIteration);
    }

    /// <summary>The learner is reloaded from the checkpoint before the next iteration (it may have moved on or gone away).</summary>
    public void ReloadLearner() => learnerReady = false;

    /// <summary>Frees the stage grains' models now that the run has ended (best effort: idle collection gets the rest).</summary>
    public async Task ReleaseAsync()
    {
        learnerReady = false;
        try { await Stages.RetireAllAsync(); }
        catch (Exception e) { logger.LogInformation("run {Run}: releasing its stage grains failed ({Error}); they are collected when idle", runId, e.Message); }
    }
}
