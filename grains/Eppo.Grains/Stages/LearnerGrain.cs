using Eppo.Core.Runs;
using Eppo.Core.Training;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace Eppo.Grains.Stages;

/// <summary>Hosts the PPO learner of one run; checkpoints under {DataRoot}/{runId}/checkpoints/iter-NNNNNN.</summary>
[ModelHostPlacement]
public sealed class LearnerGrain(IOptions<EppoSiloOptions> options) : Grain, ILearnerGrain
{
    PpoLearner? learner;
    byte[]? publishedWeights;
    int publishedVersion = -1;

    async Task<int> ILearnerGrain.InitializeAsync(RunContext run, string? checkpoint, int iterationsDone)
    {
        if (learner is not null && learner.IterationsDone == iterationsDone) return learner.PolicyVersion;
        var spec = RunSpec.Parse(run.SpecJson, run.RunId);
        learner = await Task.Run(() =>
        {
            var fresh = new PpoLearner(spec, TaskCodec.HackBench(), ModelPreparation.LoadSft(run.SftPath, spec));
            if (checkpoint is not null) fresh.Load(checkpoint);
            return fresh;
        });
        if (learner.IterationsDone != iterationsDone)
            throw new InvalidOperationException($"checkpoint {checkpoint} holds {learner.IterationsDone} iterations, the run expected {iterationsDone}");
        publishedWeights = null;
        publishedVersion = -1;
        return learner.PolicyVersion;
    }

    async Task<IterationMetrics> ILearnerGrain.LearnAsync(Experience e)
    {
        var current = Learner;
        return await Task.Run(() => current.Learn(new LearnerBatch(e.Iteration, e.PromptTokens, e.ResponseTokens, e.Scores, e.EnergyRl, e.EnergySft)));
    }

    async Task<PolicyWeights> ILearnerGrain.GetPolicyAsync(int haveVersion)
    {
        var current = Learner;
        if (haveVersion == current.PolicyVersion) return new PolicyWeights { Version = current.PolicyVersion };
        // Serialise once per version: every generator asks for the same bytes.
        if (publishedVersion != current.PolicyVersion)
        {
            publishedWeights = await Task.Run(current.PolicyWeights);
            publishedVersion = current.PolicyVersion;
        }
        return new PolicyWeights { Version = current.PolicyVersion, Weights = publishedWeights };
    }

    async Task<string> ILearnerGrain.CheckpointAsync()
    {
        var current = Learner;
        var dir = Path.Combine(options.Value.DataRoot, this.GetPrimaryKeyString(), "checkpoints", $"iter-{current.IterationsDone:D6}");
        await Task.Run(() => current.Save(dir));
        return dir;
    }

    PpoLearner Learner => learner ?? throw new InvalidOperationException("learner not initialised: call InitializeAsync first");
}
