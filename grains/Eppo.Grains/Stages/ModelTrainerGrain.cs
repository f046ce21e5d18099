using Eppo.Contracts.Messages;
using Eppo.Core;
using Eppo.Contracts;
using Eppo.Core.Preparation;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Eppo.Grains.Stages;

/// <summary>
/// Trains (or finds cached) the SFT policy and the reward models. One activation per key serialises concurrent runs
/// that need the same model; the reward models of one run have distinct keys and train in parallel, each where
/// placement puts its grain. A model another silo already published is fetched rather than trained again.
/// </summary>
[ModelHostPlacement]
public sealed class ModelTrainerGrain(IOptions<EppoSiloOptions> options, IArtifactStore artifacts, RunInputs inputs, IGrainFactory grains, ILogger<ModelTrainerGrain> logger)
    : Grain, IModelTrainerGrain
{
    string DataRoot => options.Value.DataRoot;

    // Keys and locations come from the spec as stored at run start (its inputs are artifact locations, the same on
    // every silo); training reads the inputs at their paths on this silo (the local spec).
    async Task<PreparedModels> IModelTrainerGrain.PrepareAsync(string specJson)
    {
        var spec = RunSpec.Deserialize(specJson);
        var local = await inputs.LocalizeAsync(spec);
        var (sftLocation, sftSeconds) = (spec.Sft.Source, 0.0);
        if (ModelPreparation.MakesSft(spec))
        {
            var sftLocal = ModelPreparation.SftPath(spec, DataRoot);
            await FetchAsync(sftLocal);
            sftSeconds = await ComputeThreads.RunLongAsync(() => ModelPreparation.TrainSft(local, sftLocal, Log));
            sftLocation = await PublishAsync(sftLocal);
        }
        if (spec.Reward.Source != RewardSpec.Train) return ModelPreparation.Given(spec, sftLocation, sftSeconds);

        var plan = ModelPreparation.RewardPlan(spec);
        var trained = await Task.WhenAll(plan.Select((recipe, m) =>
            grains.GetGrain<IModelTrainerGrain>(ModelPreparation.TrainerKey(spec, recipe)).TrainRewardAsync(specJson, sftLocation, m)));
        TrainedMember? average = null;
        if (spec.TrainingMethod.RewardModel == RewardModelKind.Warm)
        {
            var warmLocal = ModelPreparation.WarmPath(spec, DataRoot);
            await FetchAsync(warmLocal);
            var ingredients = new List<string>();
            foreach (var member in trained) ingredients.Add(await artifacts.LocalPathAsync(member.Location));
            var sftForHeldOut = await artifacts.LocalPathAsync(sftLocation);
            var averaged = await ComputeThreads.RunLongAsync(() => ModelPreparation.AverageWarm(local, ingredients, sftForHeldOut, warmLocal, Log));
            average = averaged with { Location = await PublishAsync(warmLocal), Model = averaged.Model with { TrainedOn = RuntimeIdentity } };
        }
        return ModelPreparation.Collect(spec, sftLocation, sftSeconds, trained, average);
    }

    async Task<TrainedMember> IModelTrainerGrain.TrainRewardAsync(string specJson, string sftLocation, int member)
    {
        var spec = RunSpec.Deserialize(specJson);
        var plan = ModelPreparation.RewardPlan(spec);
        if (member < 0 || member >= plan.Count) throw new EppoException($"reward model {member}: the spec's reward plan has {plan.Count}");
        var recipe = plan[member];
        var memberLocal = ModelPreparation.MemberPath(spec, recipe, DataRoot);
        await FetchAsync(memberLocal);
        var local = await inputs.LocalizeAsync(spec);
        var sftLocal = await artifacts.LocalPathAsync(sftLocation);
        var trained = await ComputeThreads.RunLongAsync(() => ModelPreparation.TrainMember(local, recipe, sftLocal, memberLocal, Log));
        var host = RuntimeIdentity;
        return trained with { Location = await PublishAsync(memberLocal), Model = trained.Model with { TrainedOn = host } };
    }

    void Log(string message) => logger.LogInformation("{Message}", message);

    /// <summary>The artifact name of a model directory under the data root: its relative path ("models/{key}/…").</summary>
    string ArtifactName(string local) => Path.GetRelativePath(DataRoot, local).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>A model another silo trained is fetched to where ModelPreparation looks, so it skips training it.</summary>
    async Task FetchAsync(string local)
    {
        if (!artifacts.IsRemote || Directory.Exists(local)) return;
        if (await artifacts.FindAsync(ArtifactName(local)) is { } found) await artifacts.CopyToAsync(found, local);
    }

    async Task<string> PublishAsync(string local) => artifacts.IsRemote ? await artifacts.PublishAsync(local, ArtifactName(local)) : local;
}
