using Eppo.Core.Runs;
using Eppo.Core.Training;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Eppo.Grains.Stages;

/// <summary>Trains (or finds cached) SFT policy and proxy RM. One activation per cache key serialises concurrent runs.</summary>
[ModelHostPlacement]
public sealed class ModelTrainerGrain(IOptions<EppoSiloOptions> options, ILogger<ModelTrainerGrain> logger) : Grain, IModelTrainerGrain
{
    async Task<PreparedModels> IModelTrainerGrain.PrepareAsync(string specJson)
    {
        var spec = RunSpec.Parse(specJson);
        var result = await Task.Run(() => ModelPreparation.Prepare(spec, options.Value.DataRoot, message => logger.LogInformation("{Message}", message)));
        return new PreparedModels
        {
            SftPath = result.SftPath,
            RewardPath = result.RewardPath,
            RewardHeldOutAccuracy = result.RewardHeldOutAccuracy,
            SftSeconds = result.SftSeconds,
            RewardSeconds = result.RewardSeconds,
        };
    }
}
