using Eppo.Core;
using Eppo.Contracts;
using Eppo.Core.Training;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Eppo.Grains.Stages;

/// <summary>Trains (or finds cached) the SFT policy and proxy reward models. One activation per cache key serialises concurrent runs.</summary>
[ModelHostPlacement]
public sealed class ModelTrainerGrain(IOptions<EppoSiloOptions> options, IArtifactStore artifacts, ILogger<ModelTrainerGrain> logger)
    : Grain, IModelTrainerGrain
{
    async Task<PreparedModels> IModelTrainerGrain.PrepareAsync(string specJson)
    {
        var spec = RunSpec.Parse(specJson);
        var key = ModelPreparation.CacheKey(spec);
        // Each trained model has an artifact name under the cache key and a local directory where Prepare looks for it.
        var local = ModelPreparation.TrainedPaths(spec, options.Value.DataRoot);
        var parts = new List<(string Name, string Local, bool Trained)> { ($"models/{key}/sft", local.Sft, spec.Sft.Source == "train") };
        parts.AddRange(local.Rewards.Select((dir, m) => ($"models/{key}/reward{(m == 0 ? "" : $"-m{m}")}", dir, spec.Reward.Source == RewardSpec.Train)));
        if (artifacts.IsRemote)
        {
            // Models another silo trained are fetched to where ModelPreparation looks, so it skips training them.
            foreach (var part in parts.Where(p => p.Trained && !Directory.Exists(p.Local)))
                if (await artifacts.FindAsync(part.Name) is { } found)
                    await artifacts.CopyToAsync(found, part.Local);
        }
        var result = await ComputeThreads.RunLongAsync(() => ModelPreparation.Prepare(spec, options.Value.DataRoot, message => logger.LogInformation("{Message}", message)));
        var sftPath = result.SftPath;
        var rewardPaths = result.RewardPaths.ToArray();
        if (artifacts.IsRemote)
        {
            if (parts[0].Trained) sftPath = await artifacts.PublishAsync(result.SftPath, parts[0].Name);
            for (var m = 0; m < rewardPaths.Length; m++)
                if (parts[m + 1].Trained) rewardPaths[m] = await artifacts.PublishAsync(result.RewardPaths[m], parts[m + 1].Name);
        }
        return new PreparedModels
        {
            SftPath = sftPath,
            RewardPaths = rewardPaths,
            RewardHeldOutAccuracies = result.RewardHeldOutAccuracies,
            SftSeconds = result.SftSeconds,
            RewardSeconds = result.RewardSeconds,
        };
    }
}
