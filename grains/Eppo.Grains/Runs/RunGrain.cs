using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Tasks;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Hosting;
using Eppo.Grains.History;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Eppo.Grains.Runs;

/// <summary>
/// A run's lifecycle, driven from a grain timer: each tick runs iterations (<see cref="RunProgress"/>) while the run
/// is Running. The timer interleaves, so status, pause and stop are answered while an iteration is in flight; pause and
/// stop take effect when it ends, after a checkpoint. A failed iteration is rolled back to the last checkpoint and
/// retried (<see cref="IterationRetry"/>), unless it was a user error. Watchers get the status pushed at every change;
/// while the run is active, a reminder (<see cref="RunReminder"/>) re-activates it wherever its silo went.
/// </summary>
public sealed class RunGrain(
    [PersistentState("run", EppoStorage.Name)] IPersistentState<RunGrainState> state,
    EppoMetrics metrics,
    EppoResilience resilience,
    IRunHistoryStore historyStore,
    RunInputs inputs,
    IClusterMembershipService membership,
    Orleans.Runtime.IClusterManifestProvider manifests,
    IOptions<EppoSiloOptions> options,
    ILogger<RunGrain> logger) : Grain, IRunGrain, IRemindable
{
    IGrainTimer? timer;
    RunSpec? spec;
    RunProgress? progress;
    readonly IterationRetry retry = new(options.Value.IterationAttempts, options.Value.IterationRetryTime, TimeProvider.System);
    StagePlacement? placement;
    readonly RunWatchers watchers = new(logger);

    RunGrainState S => state.State;
    string RunId => this.GetPrimaryKeyString();
    /// <summary>The spec as stored at run start (validated then; its inputs are artifact locations).</summary>
    RunSpec Spec => spec ??= RunSpec.Deserialize(S.SpecJson!, RunId);
    RunProgress Progress => progress ??= new RunProgress(RunId, Spec, S, SaveAsync, Publish, GrainFactory, resilience, metrics, historyStore, Placement, logger);
    StagePlacement Placement => placement ??= new StagePlacement(membership, manifests, GrainFactory, logger);
    IRunRegistryGrain Registry => GrainFactory.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key);
    RunReminder Reminder => new(this, options.Value.RunReminderPeriod, resilience, logger);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.SpecJson is null) return;
        if (IsActive(S.State))
        {
            if (S.Iteration != S.CommittedIteration)
            {
                // Back to the last checkpoint: iterations after it were never committed.
                logger.LogWarning("run {Run}: resuming from iteration {Committed} (was at {Iteration})", RunId, S.CommittedIteration, S.Iteration);
                S.Iteration = S.CommittedIteration;
            }
            // Claim the run before cutting its history back: the write moves the state's ETag, so an activation still
            // running elsewhere (after a silo dies, Orleans' directory can briefly hold two) fails its next commit and
            // leaves, instead of committing iterations whose history lines this cut just removed.
            await SaveAsync();
        }
        await Progress.History.ResetAsync(S.CommittedIteration);
        if (!IsActive(S.State)) return;
        StartTimer();
        await Reminder.KeepAsync(true); // idempotent; also covers a run whose registration never landed
    }

    async Task<RunStatus> IRunGrain.StartAsync(string specJson)
    {
        if (S.SpecJson is not null) throw new EppoException($"run '{RunId}' already exists");
        // Validation reads and tokenises the task's data; storing hashes and copies every input. Minutes for large
        // inputs, so both run on threads of their own; the grain takes no other call until the run exists.
        var checkedSpec = await ComputeThreads.RunLongAsync(() => TrainingTasks.Parse(specJson, "run spec"));
        spec = await inputs.StoreAsync(checkedSpec, RunId);
        S.SpecJson = spec.ToJson();
        S.State = RunState.Running;
        S.CreatedAt = S.UpdatedAt = DateTimeOffset.UtcNow;
        S.Stage = "starting";
        await SaveAsync();
        await resilience.CallAsync(() => Registry.AddAsync(RunId));
        await Reminder.KeepAsync(true);
        metrics.RecordRunState(RunId, spec.Method, S.State);
        StartTimer();
        return Status();
    }

    async Task<RunStatus> IRunGrain.PauseAsync()
    {
        RequireExists();
        if (S.State == RunState.Running) await SetStateAsync(RunState.Pausing);
        else if (S.State is not (RunState.Pausing or RunState.Paused))
            throw new EppoException($"run '{RunId}' is {S.State}; only a running run can be paused");
        return Status();
    }

    async Task<RunStatus> IRunGrain.ResumeAsync()
    {
        RequireExists();
        if (S.State is RunState.Paused or RunState.Failed)
        {
            S.Reason = null;
            retry.Reset();
            Progress.ReloadLearner();
            await SetStateAsync(RunState.Running);
            StartTimer();
        }
        else if (S.State == RunState.Pausing) await SetStateAsync(RunState.Running);
        else if (S.State != RunState.Running) throw new EppoException($"run '{RunId}' is {S.State}; it cannot be resumed");
        return Status();
    }

    async Task<RunStatus> IRunGrain.StopAsync()
    {
        RequireExists();
        if (S.State is RunState.Running or RunState.Pausing) await SetStateAsync(RunState.Stopping);
        else if (S.State == RunState.Paused) await EndAsync(RunState.Stopped); // a paused run kept its stage grains: free them now
        else if (S.State is RunState.Created or RunState.Failed) await SetStateAsync(RunState.Stopped);
        return Status();
    }

    Task<RunStatus?> IRunGrain.GetStatusAsync() => Task.FromResult(S.SpecJson is null ? null : Status());

    Task<IReadOnlyList<IterationMetrics>> IRunGrain.GetHistoryAsync(int from, int count)
    {
        RequireExists();
        return Progress.History.PageAsync(from, count, S.CommittedIteration);
    }

    Task<RunStatus?> IRunGrain.WatchAsync(IRunObserver observer) =>
        Task.FromResult(S.SpecJson is null ? null : watchers.Watch(observer, Status));

    Task IRunGrain.UnwatchAsync(IRunObserver observer) => watchers.Unwatch(observer);

    /// <summary>The run's reminder: it re-activated the run (its silo died, the cluster restarted) or finds it going.</summary>
    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        if (S.SpecJson is null || !IsActive(S.State)) return Reminder.KeepAsync(false); // left behind by a failed unregistration
        StartTimer();
        return Task.CompletedTask;
    }

    static bool IsActive(RunState s) => s is RunState.Running or RunState.Pausing or RunState.Stopping;

    void RequireExists() => _ = S.SpecJson ?? throw new EppoException($"run '{RunId}': no such run (see `eppo run list`)");

    void StartTimer() => timer ??= this.RegisterGrainTimer(TickAsync,
        new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = TimeSpan.FromMilliseconds(50), Interleave = true, KeepAlive = true });

    void StopTimer()
    {
        timer?.Dispose();
        timer = null;
    }

    async Task TickAsync(CancellationToken cancellation)
    {
        if (retry.Waiting) return;
        try
        {
            // Iterate within the tick: no timer latency between iterations. Calls interleave at every await, so pause
            // and stop still land between iterations.
            while (S.State == RunState.Running && S.Iteration < Spec.Iterations && !cancellation.IsCancellationRequested)
                await Progress.RunIterationAsync();
            if (S.State == RunState.Running && S.Iteration >= Spec.Iterations) await EndAsync(RunState.Completed);
            else if (S.State == RunState.Pausing) await EndAsync(RunState.Paused);
            else if (S.State == RunState.Stopping) await EndAsync(RunState.Stopped);
            else if (!IsActive(S.State)) StopTimer();
            if (retry.FailedAttempts > 0) Progress.MovingAgain(retry.FailedAttempts);
            retry.Reset();
        }
        catch (InconsistentStateException)
        {
            // Another activation owns the run (SaveAsync is deactivating this one): nothing here may write its state.
        }
        catch (Exception e) when (IsActive(S.State) && retry.After(e) is { } delay)
        {
            await Progress.RetryLaterAsync(e, retry.FailedAttempts, delay);
            Publish();
        }
        catch (Exception e)
        {
            await Progress.FailAsync(e);
            await SetStateAsync(RunState.Failed);
            StopTimer();
            await Progress.ReleaseAsync();
        }
    }

    /// <summary>Checkpoints what is not yet committed, then settles in <paramref name="final"/>.</summary>
    async Task EndAsync(RunState final)
    {
        if (S.Iteration != S.CommittedIteration && Progress.LearnerReady) await Progress.CommitAsync();
        StopTimer();
        S.Stage = final.ToString().ToLowerInvariant();
        await SetStateAsync(final);
        if (final != RunState.Paused) await Progress.ReleaseAsync();
    }

    /// <summary>Writes the state, retrying while storage is away, and tells the watchers. A conflict means another activation owns the run: this one leaves.</summary>
    async Task SaveAsync()
    {
        try { await resilience.RunStorageAsync(_ => state.WriteStateAsync()); }
        catch (InconsistentStateException)
        {
            logger.LogWarning("run {Run}: state changed under this activation; deactivating", RunId);
            StopTimer();
            DeactivateOnIdle();
            throw;
        }
        Publish();
    }

    async Task SetStateAsync(RunState next)
    {
        var wasActive = IsActive(S.State);
        S.State = next;
        S.UpdatedAt = DateTimeOffset.UtcNow;
        await SaveAsync();
        if (wasActive != IsActive(next)) await Reminder.KeepAsync(IsActive(next));
        metrics.RecordRunState(RunId, Spec.Method, next);
    }

    RunStatus Status() => S.ToStatus(RunId, Spec, Progress.History.Tail, retry.FailedAttempts, Progress.GeneratorHosts, Placement.ModelHosts, Progress.Learners);

    void Publish() => watchers.Publish(Status);
}
