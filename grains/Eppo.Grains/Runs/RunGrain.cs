using System.Diagnostics;
using Eppo.Core;
using Eppo.Core.Runs;
using Eppo.Core.Training;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace Eppo.Grains.Runs;

/// <summary>
/// Drives a run from a grain timer, one iteration per tick: prompts from the shards → rollouts from the generators →
/// scores and SFT reference energy in parallel → the learner. The timer interleaves, so status, pause and stop are
/// answered while an iteration is in flight; pause and stop take effect when it ends, after a checkpoint.
/// </summary>
public sealed class RunGrain(
    [PersistentState("run", EppoStorage.Name)] IPersistentState<RunGrainState> state,
    EppoMetrics metrics,
    ILogger<RunGrain> logger) : Grain, IRunGrain
{
    /// <summary>The status history kept for charts; the full history stays in the persisted state.</summary>
    const int StatusHistory = 200;

    IGrainTimer? timer;
    bool learnerReady;
    RunSpec? spec;

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
                await state.WriteStateAsync(cancellationToken);
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
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key).AddAsync(runId);
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
        }
        catch (Exception e)
        {
            var message = (e is AggregateException { InnerException: { } inner } ? inner : e).Message;
            logger.LogError(e, "run {Run} failed in stage {Stage} at iteration {Iteration}", this.GetPrimaryKeyString(), stage, S.Iteration);
            S.Reason = $"stage '{stage}', iteration {S.Iteration}: {message}";
            S.Iteration = S.CommittedIteration;  // the last good checkpoint stays the run's state
            S.History = S.History.Take(S.CommittedIteration).ToList();
            learnerReady = false;
            await SetStateAsync(RunState.Failed);
            StopTimer();
        }
    }

    /// <summary>Checkpoints what is not yet committed, then settles in <paramref name="final"/>.</summary>
    async Task EndAsync(RunState final)
    {
        if (S.Iteration != S.CommittedIteration && learnerReady) await CommitAsync();
        StopTimer();
        S.Stage = final.ToString().ToLowerInvariant();
        await SetStateAsync(final);
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
            S.Models = await GrainFactory.GetGrain<IModelTrainerGrain>(ModelPreparation.CacheKey(Spec)).PrepareAsync(S.SpecJson!);
            await state.WriteStateAsync();
        }
        var run = new RunContext { RunId = runId, SpecJson = S.SpecJson!, SftPath = S.Models.SftPath, RewardPath = S.Models.RewardPath };
        var learner = GrainFactory.GetGrain<ILearnerGrain>(runId);
        if (!learnerReady)
        {
            Stage("initialise learner");
            S.PolicyVersion = await learner.InitializeAsync(run, S.LastCheckpoint, S.CommittedIteration);
            learnerReady = true;
        }

        var iteration = S.Iteration;
        var total = Stopwatch.StartNew();
        Stage("prompts");
        var batches = await Task.WhenAll(IterationPlan.Shards(Spec).Select(s =>
            GrainFactory.GetGrain<IPromptShardGrain>($"{runId}/{s.Shard}").GetBatchAsync(run, s.Shard, iteration)));
        var ids = batches.SelectMany(b => b.Ids).ToArray();
        var prompts = batches.SelectMany(b => b.Tokens).ToArray();

        Stage("generate");
        var clock = Stopwatch.StartNew();
        var chunks = IterationPlan.Chunks(prompts.Length, Spec.Generators).ToArray();
        var rollouts = await Task.WhenAll(chunks.Select((range, c) =>
            GrainFactory.GetGrain<IRolloutGeneratorGrain>($"{runId}/{c}").GenerateAsync(new GenerateRequest
            {
                Run = run,
                Prompts = new PromptBatch { Ids = ids[range], Tokens = prompts[range] },
                PolicyVersion = S.PolicyVersion,
                Seed = Seeds.Rollout(Spec.Seed, iteration, c),
            })));
        var generateSeconds = clock.Elapsed.TotalSeconds;
        var responses = rollouts.SelectMany(r => r.ResponseTokens).ToArray();
        var energyRl = rollouts.SelectMany(r => r.Energy).ToArray();

        Stage("score + energy reference");
        var scoring = Timed(() => Task.WhenAll(IterationPlan.Chunks(prompts.Length, Spec.Scorers).Select((range, c) =>
            GrainFactory.GetGrain<IRewardScorerGrain>($"{runId}/{c}").ScoreAsync(run, prompts[range], responses[range]))));
        var referencing = Timed(() => GrainFactory.GetGrain<IEnergyReferenceGrain>(runId).GetAsync(run, ids, prompts));
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
        S.UpdatedAt = DateTimeOffset.UtcNow;
        await state.WriteStateAsync();
    }

    async Task CommitAsync()
    {
        S.LastCheckpoint = await GrainFactory.GetGrain<ILearnerGrain>(this.GetPrimaryKeyString()).CheckpointAsync();
        S.CommittedIteration = S.Iteration;
        await state.WriteStateAsync();
    }

    static async Task<(T Result, double Seconds)> Timed<T>(Func<Task<T>> work)
    {
        var clock = Stopwatch.StartNew();
        var result = await work();
        return (result, clock.Elapsed.TotalSeconds);
    }

    async Task SetStateAsync(RunState next)
    {
        S.State = next;
        S.UpdatedAt = DateTimeOffset.UtcNow;
        await state.WriteStateAsync();
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
    };
}
