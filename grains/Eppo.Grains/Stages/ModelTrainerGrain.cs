using Eppo.Core;
using Eppo.Core.Runs;
using Eppo.Core.Training;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Eppo.Grains.Stages;

/// <summary>Trains (or finds cached) SFT policy and proxy RM. One activation per cache key serialises concurrent runs.</summary>
[ModelHostPlacement]
public sealed class ModelTrainerGrain(IOptions<EppoSiloOptions> options, IArtifactStore artifacts, ILogger<ModelTrainerGrain> logger)
    : Grain, IModelTrainerGrain
{
    async Task<PreparedModels> IModelTrainerGrain.PrepareAsync(string specJson)
    {
        var spec = RunSpec.Parse(specJson);
        var key = ModelPreparation.CacheKey(spec);
        var trained = new List<string>();
        if (spec.Sft.Source == "train") trained.Add("sft");
        if (spec.Reward.Source == "train") trained.Add("reward");
        if (artifacts.IsRemote)
        {
            // Models another silo trained are fetched to where ModelPreparation looks, so it skips training them.
            foreach (var part in trained)
            {
                var local = Path.Combine(options.Value.DataRoot, "models", key, part);
                if (!Directory.Exists(local) && await artifacts.FindAsync($"models/{key}/{part}") is { } found)
                    await artifacts.CopyToAsync(found, local);
            }
        }
        var result = await ComputeThreads.RunLongAsync(() => ModelPreparation.Prepare(spec, options.Value.DataRoot, message => logger.LogInformation("{Message}", message)));
        var sftPath = result.SftPath;
        var rewardPath = result.RewardPath;
        if (artifacts.IsRemote)
        {
            if (trained.Contains("sft")) sftPath = await artifacts.PublishAsync(result.SftPath, $"models/{key}/sft");
            if (trained.Contains("reward")) rewardPath = await artifacts.PublishAsync(result.RewardPath, $"models/{key}/reward");
        }
        return new PreparedModels
        {
            SftPath = sftPath,
            RewardPath = rewardPath,
            RewardHeldOutAccuracy = result.RewardHeldOutAccuracy,
            SftSeconds = result.SftSeconds,
            RewardSeconds = result.RewardSeconds,
        };
    }
}
