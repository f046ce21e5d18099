using Eppo.Grains.Interfaces;
using Eppo.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Eppo.Grains.Hosting;

public static class SiloBuilderExtensions
{
    /// <summary>Registers what the Eppo grains need on a silo. Storage and clustering are the host's choice.</summary>
    public static ISiloBuilder AddEppoGrains(this ISiloBuilder silo, Action<EppoSiloOptions>? configure = null)
    {
        silo.Services.AddEppoSerialization();
        silo.Services.AddOptions<EppoSiloOptions>().Configure(o => configure?.Invoke(o));
        silo.Services.AddMetrics();
        silo.Services.AddSingleton<EppoMetrics>();
        return silo;
    }
}
