using System.Diagnostics;
using Eppo.Core;
using Eppo.Core.Runs;
using Eppo.Core.Training;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Storage;

namespace Eppo.Grains.Runs;

/// <summary>
/// Drives a run from a grain timer, one iteration per tick: prompts from the shards → rollouts from the generators →
/// scores and SFT reference energy in parallel → the learner. The timer interleaves, so status, pause and stop are
/// answered while an iteration is in flight; pause and stop take effect when it ends, after a checkpoint.
/// Idempotent stage calls and state writes are retried (Polly); an iteration that fails anyway for a reason other
/// than a user error is rolled back to the last checkpoint and tried again after a backoff, so a dead silo or a
/// storage outage stalls the run instead of failing it.
/// </summary>
public sealed class RunGrain(
    [PersistentState("run", EppoStorage.Name)] IPersistentState<RunGrainState> state,
    EppoMetrics metrics,
    EppoResilience resilience,
    IClusterMembershipService membership,
    Orleans.Runtime.IClusterManifestProvider manifests,
    IOptions<EppoSiloOptions> options,
    ILogger<RunGrain> logger) : Grain, IRunGrain
{
    /// <summary>The status history kept for charts; the full history stays in the persisted state.</summary>
    const int StatusHistory = 200;

    IGrainTimer? timer;
    bool learnerReady;
    RunSpec? spec;
    int failedAttempts;
    DateTime retryAt;
    string? silosSeen;
    string[] generatorHosts = [];
    string[] modelHosts = [];

    RunGrainState S => state.State;
    RunSpec Spec => spec ??= RunSpec.Parse(S.SpecJson!, this.GetPrimaryKeyString());

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.SpecJson is null) return;
        if (S.State is RunState.Running or RunState.Pausing or RunState.Stopping)
        {
            // Back to the last checkpoint: iterations after it were never committed.
            if (S.Iteration != S.CommittedIteration)
            {
                logger.LogWarning("run {Run}: resuming from iteration {Committed} (was at {Iteration})", this.GetPrimaryKeyString(), S.CommittedIteration, S.Iteration);
                S.Iteration = S.CommittedIteration;
                S.History = S.History.Take(S.CommittedIteration).ToList();
                await SaveAsync();
            }
            StartTimer();
        }
    }

    async Task<RunStatus> IRunGrain.StartAsync(string specJson)
    {
        var runId = this.GetPrimaryKeyString();
        if (S.SpecJson is not null) throw new EppoException($"run '{runId}' already exists");
        var parsed = RunSpec.Parse(specJson, "run spec");
        spec = parsed;
        S.SpecJson = parsed.ToJson();
        S.State = RunState.Running;
        S.CreatedAt = S.UpdatedAt = DateTimeOffset.UtcNow;
        S.Stage = "starting";
        await SaveAsync();
        await resilience.CallAsync(() => Registry.AddAsync(runId));
        await resilience.CallAsync(() => Registry.SetActiveAsync(runId, true));
        metrics.RecordRunState(runId, parsed.Method, S.State);
        StartTimer();
        return Status();
    }

    async Task<RunStatus> IRunGrain.PauseAsync()
    {
        RequireExists();
        if (S.State == RunState.Running) await SetStateAsync(RunState.Pausing);
        else if (S.State is not (RunState.Pausing or RunState.Paused))
            throw new EppoException($"run '{this.GetPrimaryKeyString()}' is {S.State}; only a running run can be paused");
        return Status();
    }

    async Task<RunStatus> IRunGrain.ResumeAsync()
    {
        RequireExists();
        switch (S.State)
        {
            case RunState.Paused or RunState.Failed:
                S.Reason = null;
                retryAt = default;
                learnerReady = false; // reload from the checkpoint: the learner may have moved on or gone away
                await SetStateAsync(RunState.Running);
                StartTimer();
                break;
            case RunState.Pausing:
                await SetStateAsync(RunState.Running);
                break;
            case RunState.Running:
                break;
            default:
                throw new EppoException($"run '{this.GetPrimaryKeyString()}' is {S.State}; it cannot be resumed");
        }
        return Status();
    }

    async Task<RunStatus> IRunGrain.StopAsync()
    {
        RequireExists();
        switch (S.State)
        {
            case RunState.Running or RunState.Pausing:
                await SetStateAsync(RunState.Stopping);
                break;
            case RunState.Paused or RunState.Created or RunState.Failed:
                await SetStateAsync(RunState.Stopped);
                break;
        }
        return Status();
    }

    Task<RunStatus?> IRunGrain.GetStatusAsync() => Task.FromResult(S.SpecJson is null ? null : Status());

    Task IRunGrain.WakeAsync()
    {
        if (S.SpecJson is not null && IsActive(S.State)) StartTimer();
        return Task.CompletedTask;
    }

    static bool IsActive(RunState s) => s is RunState.Running or RunState.Pausing or RunState.Stopping;

    IRunRegistryGrain Registry => GrainFactory.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key);

    /// <summary>Writes the state, retrying while storage is away. A conflict means another activation owns the run: this one leaves.</summary>
    async Task SaveAsync()
    {
        try
        {
            await resilience.RunStorageAsync(_ => state.WriteStateAsync());
        }
        catch (InconsistentStateException)
        {
            logger.LogWarning("run {Run}: state changed under this activation; deactivating", this.GetPrimaryKeyString());
            StopTimer();
            DeactivateOnIdle();
            throw;
        }
    }

    void RequireExists()
    {
        if (S.SpecJson is null) throw new EppoException($"run '{this.GetPrimaryKeyString()}': no such run (see `eppo run list`)");
    }

    void StartTimer() => timer ??= this.RegisterGrainTimer(TickAsync,
        new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = TimeSpan.FromMilliseconds(50), Interleave = true, KeepAlive = true });

    void StopTimer()
    {
        timer?.Dispose();
        timer = null;
    }

    async Task TickAsync(CancellationToken cancellation)
    {
        if (DateTime.UtcNow < retryAt) return;
        var stage = S.Stage;
        try
        {
            switch (S.State)
            {
                case RunState.Running when S.Iteration >= Spec.Iterations:
                    await EndAsync(RunState.Completed);
                    break;
                case RunState.Running:
                    // Iterate within the tick: no timer latency between iterations. Calls interleave at every await,
                    // so pause and stop still land between iterations.
                    while (S.State == RunState.Running && S.Iteration < Spec.Iterations && !cancellation.IsCancellationRequested)
                        await RunIterationAsync(s => stage = s);
                    if (S.State == RunState.Running && S.Iteration >= Spec.Iterations) await EndAsync(RunState.Completed);
                    break;
                case RunState.Pausing:
                    await EndAsync(RunState.Paused);
                    break;
                case RunState.Stopping:
                    await EndAsync(RunState.Stopped);
                    break;
                default:
                    StopTimer();
                    break;
            }
            if (failedAttempts > 0)
            {
                logger.LogWarning("run {Run}: moving again after {Attempts} failed attempt(s)", this.GetPrimaryKeyString(), failedAttempts);
                failedAttempts = 0;
                if (S.State is not RunState.Failed) S.Reason = null;
            }
        }
        catch (Exception e) when (IsActive(S.State) && !TransientFailures.IsUserError(e) && ++failedAttempts < options.Value.IterationAttempts)
        {
            // Back to the last checkpoint; the iteration is replayed identically (seeds and prompts are functions of it).
            var message = e.GetBaseException().Message;
            var delay = TimeSpan.FromSeconds(Math.Min(10, 0.5 * Math.Pow(2, failedAttempts - 1)));
            retryAt = DateTime.UtcNow + delay;
            logger.LogWarning("run {Run}: attempt {Attempt} failed in stage {Stage} at iteration {Iteration} ({Error}); back to iteration {Committed}, retrying in {Delay:F1} s",
                this.GetPrimaryKeyString(), failedAttempts, stage, S.Iteration, message, S.CommittedIteration, delay.TotalSeconds);
            S.Reason = $"retrying (attempt {failedAttempts}) after stage '{stage}', iteration {S.Iteration}: {message}";
            S.Iteration = S.CommittedIteration;
            S.History = S.History.Take(S.CommittedIteration).ToList();
            S.Stage = "waiting to retry";
            learnerReady = false;
        }
        catch (Exception e)
        {
            var message = (e is AggregateException { InnerException: { } inner } ? inner : e).Message;
            logger.LogError(e, "run {Run} failed in stage {Stage} at iteration {Iteration}", this.GetPrimaryKeyString(), stage, S.Iteration);
            S.Reason = $"stage '{stage}', iteration {S.Iteration}: {message}";
            S.Iteration = S.CommittedIteration;  // the last good checkpoint stays the run's state
            S.History = S.History.Take(S.CommittedIteration).ToList();
            learnerReady = false;
            failedAttempts = 0;
            await SetStateAsync(RunState.Failed);
            StopTimer();
            await ReleaseStagesAsync();
        }
    }

    /// <summary>Checkpoints what is not yet committed, then settles in <paramref name="final"/>.</summary>
    async Task EndAsync(RunState final)
    {
        if (S.Iteration != S.CommittedIteration && learnerReady) await CommitAsync();
        StopTimer();
        S.Stage = final.ToString().ToLowerInvariant();
        await SetStateAsync(final);
        if (final != RunState.Paused) await ReleaseStagesAsync();
    }

    /// <summary>
    /// An ended run's model-bearing grains let go of their models now rather than after Orleans' idle collection age
    /// (minutes of a learner's weights and optimizer state per run). Best effort: a grain that misses it is collected later.
    /// </summary>
    async Task ReleaseStagesAsync()
    {
        var runId = this.GetPrimaryKeyString();
        learnerReady = false;
        var retiring = Enumerable.Range(0, Spec.Generators).Select(c => GrainFactory.GetGrain<IRolloutGeneratorGrain>($"{runId}/{c}").RetireAsync())
            .Concat(Enumerable.Range(0, Spec.Scorers).Select(c => GrainFactory.GetGrain<IRewardScorerGrain>($"{runId}/{c}").RetireAsync()))
            .Append(GrainFactory.GetGrain<ILearnerGrain>(runId).RetireAsync())
            .Append(GrainFactory.GetGrain<IEnergyReferenceGrain>(runId).RetireAsync());
        try { await Task.WhenAll(retiring); }
        catch (Exception e) { logger.LogInformation("run {Run}: releasing its stage grains failed ({Error}); they are collected when idle", runId, e.Message); }
    }

    async Task RunIterationAsync(Action<string> stageChanged)
    {
        var runId = this.GetPrimaryKeyString();
        void Stage(string name)
        {
            S.Stage = name;
            stageChanged(name);
        }

        if (S.Models is null)
        {
            Stage("prepare models");
            S.Models = await resilience.CallAsync(() => GrainFactory.GetGrain<IModelTrainerGrain>(ModelPreparation.CacheKey(Spec)).PrepareAsync(S.SpecJson!));
            await SaveAsync();
        }
        var run = new RunContext { RunId = runId, SpecJson = S.SpecJson!, SftPath = S.Models.SftPath, RewardPath = S.Models.RewardPath };
        var learner = GrainFactory.GetGrain<ILearnerGrain>(runId);
        if (!learnerReady)
        {
            Stage("initialise learner");
            S.PolicyVersion = await resilience.CallAsync(() => learner.InitializeAsync(run, S.LastCheckpoint, S.CommittedIteration));
            learnerReady = true;
        }
        await SpreadOntoNewSilosAsync(runId);

        var iteration = S.Iteration;
        var total = Stopwatch.StartNew();
        Stage("prompts");
        var batches = await Task.WhenAll(IterationPlan.Shards(Spec).Select(s => resilience.CallAsync(() =>
            GrainFactory.GetGrain<IPromptShardGrain>($"{runId}/{s.Shard}").GetBatchAsync(run, s.Shard, iteration))));
        var ids = batches.SelectMany(b => b.Ids).ToArray();
        var prompts = batches.SelectMany(b => b.Tokens).ToArray();

        Stage("generate");
        var clock = Stopwatch.StartNew();
        var chunks = IterationPlan.Chunks(prompts.Length, Spec.Generators).ToArray();
        var policyVersion = S.PolicyVersion;
        var rollouts = await Task.WhenAll(chunks.Select((range, c) => resilience.CallAsync(() =>
            GrainFactory.GetGrain<IRolloutGeneratorGrain>($"{runId}/{c}").GenerateAsync(new GenerateRequest
            {
                Run = run,
                Prompts = new PromptBatch { Ids = ids[range], Tokens = prompts[range] },
                PolicyVersion = policyVersion,
                Seed = Seeds.Rollout(Spec.Seed, iteration, c),
            }))));
        var generateSeconds = clock.Elapsed.TotalSeconds;
        generatorHosts = rollouts.Select(r => r.Host).ToArray();
        var responses = rollouts.SelectMany(r => r.ResponseTokens).ToArray();
        var energyRl = rollouts.SelectMany(r => r.Energy).ToArray();

        Stage("score + energy reference");
        var scoring = Timed(() => Task.WhenAll(IterationPlan.Chunks(prompts.Length, Spec.Scorers).Select((range, c) => resilience.CallAsync(() =>
            GrainFactory.GetGrain<IRewardScorerGrain>($"{runId}/{c}").ScoreAsync(run, prompts[range], responses[range])))));
        var referencing = Timed(() => resilience.CallAsync(() => GrainFactory.GetGrain<IEnergyReferenceGrain>(runId).GetAsync(run, ids, prompts)));
        await Task.WhenAll(scoring, referencing);
        var (scoreParts, scoreSeconds) = await scoring;
        var (reference, energySeconds) = await referencing;
        var scores = scoreParts.SelectMany(s => s).ToArray();
        float[]? gold = Spec.Task == "hackbench" ? new GoldScorer(TaskCodec.HackBench()).Score(prompts, responses) : null;

        Stage("learn");
        clock.Restart();
        var learned = await learner.LearnAsync(new Experience
        {
            Iteration = iteration,
            PromptTokens = prompts,
            ResponseTokens = responses,
            Scores = scores,
            EnergyRl = energyRl,
            EnergySft = reference.Energy,
        });
        var learnSeconds = clock.Elapsed.TotalSeconds;

        var m = IterationReport.Complete(learned, gold, reference.Hits, prompts.Length, responses.Sum(r => r.Length),
            generateSeconds, scoreSeconds, energySeconds, learnSeconds, total.Elapsed.TotalSeconds, energyRl, reference.Energy);
        S.Iteration = iteration + 1;
        S.PolicyVersion = m.PolicyVersion;
        S.History.Add(m);
        S.HackingAlarm = Core.Energy.HackingAlarm.Raised(m.HackingAlarmShare);
        metrics.RecordIteration(runId, Spec.Method, m, energyRl, responseEnergySft: reference.Energy);

        if (S.Iteration % Spec.CheckpointInterval == 0 || S.Iteration == Spec.Iterations)
        {
            Stage("checkpoint");
            await CommitAsync();
        }
        Stage("running");
        // No write here: an iteration after the last checkpoint is rolled back on re-activation anyway, so persisting
        // it would cost a storage round trip per iteration and buy nothing. Commits and state changes are written.
        S.UpdatedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>
    /// The checkpoint is written (published) first; only then does the persisted pointer move to it. A crash in between
    /// leaves the previous checkpoint as the run's state.
    /// </summary>
    async Task CommitAsync()
    {
        var checkpoint = await resilience.CallAsync(() => GrainFactory.GetGrain<ILearnerGrain>(this.GetPrimaryKeyString()).CheckpointAsync());
        S.LastCheckpoint = checkpoint;
        S.CommittedIteration = S.Iteration;
        await SaveAsync();
    }

    /// <summary>
    /// When model hosts joined or left since the last iteration, generators and scorers deactivate between iterations,
    /// so that placement spreads them over the hosts there are now. They hold no state a replay needs. A host counts
    /// once this silo has its metadata (model slots) and its grain manifest, which arrive shortly after the membership change.
    /// </summary>
    /// <summary>
    /// Keeps generators and scorers spread over the current model hosts. Generators are checked level-triggered: each
    /// rollout says which silo made it, and a generator that is not where placement would put it now is moved there
    /// (grain migration; a membership change the run grain did not see, a re-activated run grain or a placement made
    /// from a lagging view all heal at the next iteration). Scorers are moved when the set of hosts changes.
    /// </summary>
    async Task SpreadOntoNewSilosAsync(string runId)
    {
        var hosts = ModelHosts(runId);
        modelHosts = hosts.Select(h => h.ToString()).ToArray();
        var key = string.Join(",", hosts.Select(h => h.ToParsableString()));
        var changed = silosSeen is not null && silosSeen != key;
        silosSeen = key;
        var misplaced = hosts.Length == 0 ? [] : Enumerable.Range(0, Math.Min(Spec.Generators, generatorHosts.Length))
            .Where(c => generatorHosts[c] != hosts[ModelHostPlacementDirector.Slot($"{runId}/{c}", hosts.Length)].ToString())
            .ToArray();
        if (!changed && misplaced.Length == 0) return;
        logger.LogInformation("run {Run}: model hosts {Hosts}; re-placing generators {Generators}{Scorers}", runId, key,
            string.Join(",", misplaced), changed ? " and the scorers" : "");
        var moving = misplaced.Select(c => GrainFactory.GetGrain<IRolloutGeneratorGrain>($"{runId}/{c}").MoveAsync())
            .Concat(changed ? Enumerable.Range(0, Spec.Scorers).Select(c => GrainFactory.GetGrain<IRewardScorerGrain>($"{runId}/{c}").MoveAsync()) : []);
        try { await Task.WhenAll(moving); }
        catch (Exception e) { logger.LogInformation("run {Run}: moving a generator or scorer failed ({Error}); it is re-placed anyway when its silo is gone", runId, e.Message); }
    }

    /// <summary>
    /// The silos that can host model-bearing grains, sorted as placement sorts them: active members whose grain manifest
    /// has those classes (a silo started with --model-slots 0 leaves them out). Placement reads the same manifest, and
    /// Orleans keeps fetching a new silo's manifest until it has it.
    /// </summary>
    SiloAddress[] ModelHosts(string runId)
    {
        var generatorType = GrainFactory.GetGrain<IRolloutGeneratorGrain>($"{runId}/0").GetGrainId().Type;
        return membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active
                        && manifests.Current.Silos.TryGetValue(m.SiloAddress, out var manifest) && manifest.Grains.ContainsKey(generatorType))
            .Select(m => m.SiloAddress)
            .OrderBy(silo => silo.ToParsableString(), StringComparer.Ordinal)
            .ToArray();
    }

    static async Task<(T Result, double Seconds)> Timed<T>(Func<Task<T>> work)
    {
        var clock = Stopwatch.StartNew();
        var result = await work();
        return (result, clock.Elapsed.TotalSeconds);
    }

    async Task SetStateAsync(RunState next)
    {
        var wasActive = IsActive(S.State);
        S.State = next;
        S.UpdatedAt = DateTimeOffset.UtcNow;
        await SaveAsync();
        if (wasActive != IsActive(next))
            await resilience.CallAsync(() => Registry.SetActiveAsync(this.GetPrimaryKeyString(), IsActive(next)));
        metrics.RecordRunState(this.GetPrimaryKeyString(), Spec.Method, next);
    }

    RunStatus Status() => new()
    {
        RunId = this.GetPrimaryKeyString(),
        Name = Spec.Name,
        Method = Spec.Method,
        State = S.State,
        Reason = S.Reason,
        Iteration = S.Iteration,
        TotalIterations = Spec.Iterations,
        PolicyVersion = S.PolicyVersion,
        LastCheckpoint = S.LastCheckpoint,
        Latest = S.History.LastOrDefault(),
        History = S.History.TakeLast(StatusHistory).ToList(),
        CreatedAt = S.CreatedAt,
        UpdatedAt = S.UpdatedAt,
        Stage = S.Stage,
        HackingAlarm = S.HackingAlarm,
        RewardHeldOutAccuracy = S.Models?.RewardHeldOutAccuracy,
        GeneratorHosts = generatorHosts,
        ModelHosts = modelHosts,
    };
}
