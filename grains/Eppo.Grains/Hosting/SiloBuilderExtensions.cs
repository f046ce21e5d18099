using Eppo.Grains.Interfaces;
using Eppo.Grains.Telemetry;
using Eppo.Grains.AppendLogs;
using Eppo.Grains.Artifacts;
using Eppo.Grains.History;
using Eppo.Grains.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Eppo.Grains.Hosting;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Registers what the Eppo grains need on a silo. Storage, clustering and the reminder service (which an active run
    /// registers with: <see cref="RunReminder"/>) are the host's choice.
    /// </summary>
    public static ISiloBuilder AddEppoGrains(this ISiloBuilder silo, Action<EppoSiloOptions>? configure = null)
    {
        var options = new EppoSiloOptions();
        configure?.Invoke(options);
        silo.Services.AddEppoSerialization();
        // The one binding: the same delegate configures the options the grains read and the copy used here at start-up.
        silo.Services.AddOptions<EppoSiloOptions>().Configure(o => configure?.Invoke(o));
        silo.Services.AddSingleton<EppoResilience>();
        // Checkpoints, models and append logs (histories, energy-reference caches) stay under the data root unless the
        // host registered remote stores first.
        silo.Services.TryAddSingleton<IArtifactStore, LocalArtifactStore>();
        silo.Services.TryAddSingleton<IAppendLogStore, LocalAppendLogStore>();
        silo.Services.TryAddSingleton<IRunHistoryStore, RunHistoryStore>();
        silo.Services.AddSingleton<RunInputs>();
        Core.ComputeThreads.EnsureAtLeast(options.ComputeThreads);
        if (options.TorchThreads > 0) Core.Torch.UseThreads(options.TorchThreads);
        // Checked before the silo joins: a silo that cannot run its device must not take model grains.
        var device = Core.ComputeDevice.Validate(options.Device, "Eppo:Device (--device)");
        if (device != "cpu") Core.ComputeDevice.Use(device);
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [SiloCapacity.ModelSlotsKey] = options.ModelSlots.ToString(),
            [SiloCapacity.DeviceKey] = device,
        });
        silo.Services.AddPlacementDirector<ModelHostPlacementStrategy, ModelHostPlacementDirector>();
        // A silo without model capacity does not have the model-bearing grain classes at all, nor a silo the classes of
        // the stages it was not given, so the cluster manifest (which placement and the run grain read) says which silos
        // can host each of them.
        var modelBearing = typeof(ModelHostPlacementAttribute).Assembly.GetTypes()
            .Where(t => t.IsDefined(typeof(ModelHostPlacementAttribute), inherit: false)).ToArray();
        var hosted = options.ModelSlots == 0 ? [] : ModelStages.Parse(string.Join(",", options.Stages), "Eppo:Stages (--stages)").Select(n => ModelStages.All[n]).ToHashSet();
        var leftOut = modelBearing.Where(t => !hosted.Contains(t)).ToArray();
        if (leftOut.Length > 0)
            silo.Services.PostConfigure<Orleans.Configuration.GrainTypeOptions>(o =>
            {
                foreach (var type in leftOut) o.Classes.Remove(type);
            });
        silo.AddIncomingGrainCallFilter<UserErrorFilter>();
        silo.Services.AddMetrics();
        silo.Services.AddSingleton<EppoMetrics>();
        return silo;
    }
}
