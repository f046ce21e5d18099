using Eppo.Contracts.Messages;
using System.Diagnostics;
using Eppo.Contracts;
using Eppo.Core.Ppo;
using Eppo.Core.Tasks;
using Eppo.Core.Preparation;

namespace Eppo.Core.Iteration;

/// <summary>
/// The one place the stage sequence of an iteration is written: prompts → rollouts → reward members' scores and the
/// SFT reference energy in parallel → combined score (and the task's gold score, for metrics) → for PAR, the scores of
/// the SFT answers not scored before → learner → commit when due. The in-process pipeline and the run grain both drive their stages through it, so they compute the same thing.
/// With overlap, the next iteration's rollouts are sampled while this one is scored and learned, from the policy
/// version this one started with; the pipeline drains before each checkpoint, so an iteration right after one samples
/// from the current version, and a run resumed there computes what the uninterrupted run did. (A pause between
/// checkpoints drains it too: the iteration after it samples from the current version.)
/// </summary>
public sealed class IterationDriver(RunSpec spec, ITrainingTask task, IIterationStages stages)
{
    /// <summary>The next iteration's rollouts, sampling while this one learns (overlap).</summary>
    sealed record Prefetch(int Iteration, PromptBatch Prompts, int Version, Task<Rollout> Rollout);

    Prefetch? next;

    /// <summary>Forgets the rollouts sampling ahead (the run went back to a checkpoint); a failed prefetch is observed, not thrown.</summary>
    public void Discard()
    {
        next?.Rollout.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        next = null;
    }

    /// <summary>
    /// Runs iteration <paramref name="iteration"/> with policy version <paramref name="policyVersion"/>. Calls
    /// <paramref name="stage"/> as each stage starts and <paramref name="completed"/> with the metrics (and the per-response
    /// energies) before a commit.
    /// </summary>
    public async Task<IterationMetrics> RunAsync(int iteration, int policyVersion, Action<string> stage, Action<CompletedIteration>? completed = null)
    {
        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        PromptBatch prompts;
        Rollout rollouts;
        var sampledBy = policyVersion;
        if (next is { } prefetched && prefetched.Iteration == iteration)
        {
            stage("generate");
            next = null;
            (prompts, sampledBy, rollouts) = (prefetched.Prompts, prefetched.Version, await prefetched.Rollout);
        }
        else
        {
            stage("prompts");
            prompts = await stages.PromptsAsync(iteration);
            stage("generate");
            clock.Restart();
            rollouts = await stages.GenerateAsync(iteration, prompts, policyVersion);
        }
        var generateSeconds = clock.Elapsed.TotalSeconds;
        if (rollouts.PolicyVersion >= 0 && rollouts.PolicyVersion != sampledBy)
            throw new InvalidOperationException($"iteration {iteration}: its rollouts were sampled by policy version {rollouts.PolicyVersion}, not {sampledBy}");
        if (spec.Overlapped && iteration + 1 < spec.Iterations && !CommitDue(iteration + 1))
        {
            await stages.HoldPolicyAsync(policyVersion);
            var nextPrompts = await stages.PromptsAsync(iteration + 1);
            next = new Prefetch(iteration + 1, nextPrompts, policyVersion, stages.GenerateAsync(iteration + 1, nextPrompts, policyVersion));
        }

        stage("score + energy reference");
        var scoring = Timed(() => stages.ScoreAsync(prompts.Tokens, rollouts.Responses));
        var referencing = Timed(() => stages.ReferenceEnergyAsync(prompts.Ids, prompts.Tokens));
        await Task.WhenAll(scoring, referencing);
        var (members, scoreSeconds) = await scoring;
        var (reference, energySeconds) = await referencing;
        var scores = RewardSources.Combine(spec.RewardCombination, members, spec.Reward.UwoLambda);
        var gold = task.Gold?.Score(prompts.Tokens, rollouts.Responses);
        float[]? referenceScores = null;
        if (spec.TrainingMethod.Shapes(ShapingTerm.ReferenceSigmoid))
        {
            clock.Restart();
            referenceScores = await ReferenceScoresAsync(prompts, reference, stage);
            scoreSeconds += clock.Elapsed.TotalSeconds;
        }

        stage("learn");
        clock.Restart();
        var learned = await stages.LearnAsync(new LearnerBatch(iteration, prompts.Tokens, rollouts.Responses, scores, rollouts.Energy, reference.Energy, referenceScores,
            EnergyVariant.Of(spec).Official ? reference.ModuleEnergies : null, spec.Overlapped ? RequireLogProbs(rollouts, iteration) : null));
        var learnSeconds = clock.Elapsed.TotalSeconds;

        var metrics = IterationReport.Complete(learned, gold, reference.Hits, prompts.Tokens.Length, rollouts.Responses.Sum(r => r.Length),
            generateSeconds, scoreSeconds, energySeconds, learnSeconds, total.Elapsed.TotalSeconds, rollouts.Energy, reference.Energy);
        completed?.Invoke(new CompletedIteration(metrics, rollouts.Energy, reference.Energy));
        if (CommitDue(iteration + 1))
        {
            stage("checkpoint");
            await stages.CommitAsync();
        }
        return metrics;
    }

    /// <summary>
    /// PAR's r_ref per row: the reward source's combined score of the SFT answer, through the same scorers. The energy
    /// reference keeps it beside the answer, so only answers it has no score for yet (its misses) are scored, once per
    /// prompt, in batch order.
    /// </summary>
    async Task<float[]> ReferenceScoresAsync(PromptBatch prompts, ReferenceEnergies reference, Action<string> stage)
    {
        var known = reference.ReferenceScores is { } cached && cached.Length == prompts.Ids.Length ? cached : new float?[prompts.Ids.Length];
        var unscored = Enumerable.Range(0, known.Length).Where(b => known[b] is null).DistinctBy(b => prompts.Ids[b]).ToArray();
        var scored = new Dictionary<string, float>();
        if (unscored.Length > 0)
        {
            stage("score SFT answers");
            var ids = unscored.Select(b => prompts.Ids[b]).ToArray();
            var members = await stages.ScoreAsync(unscored.Select(b => prompts.Tokens[b]).ToArray(), unscored.Select(b => reference.Answers[b]).ToArray());
            var scores = RewardSources.Combine(spec.RewardCombination, members, spec.Reward.UwoLambda);
            await stages.StoreReferenceScoresAsync(ids, scores);
            for (var j = 0; j < ids.Length; j++) scored[ids[j]] = scores[j];
        }
        return known.Select((score, b) => score ?? scored[prompts.Ids[b]]).ToArray();
    }

    static float[][] RequireLogProbs(Rollout rollouts, int iteration) =>
        rollouts.LogProbs ?? throw new InvalidOperationException($"overlap: the rollouts of iteration {iteration} came without their log-probs");

    /// <summary>Whether a checkpoint follows the iteration that brings the run to <paramref name="iterationsDone"/>.</summary>
    public bool CommitDue(int iterationsDone) => iterationsDone % spec.CheckpointInterval == 0 || iterationsDone == spec.Iterations;

    static async Task<(T Result, double Seconds)> Timed<T>(Func<Task<T>> work)
    {
        var clock = Stopwatch.StartNew();
        var result = await work();
        return (result, clock.Elapsed.TotalSeconds);
    }
}

/// <summary>An iteration's metrics with the per-response energies behind them (ΔE_RL, ΔE_SFT; (B) each), for histograms.</summary>
public sealed record CompletedIteration(IterationMetrics Metrics, float[] EnergyRl, float[] EnergySft);
