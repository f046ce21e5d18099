using System.Net;
using Microsoft.Extensions.Options;
using Eppo.Core;
using Eppo.Grains.Artifacts;
using Eppo.Grains.AppendLogs;
using Eppo.Grains.Hosting;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Eppo.Silo;

/// <summary>
/// The azure profile: Azure Table membership and reminders (an active run's reminder wakes it after a silo's death or
/// a whole-cluster restart), grain state as blobs (Orleans' binary serializer, so the [GenerateSerializer] state
/// classes and Core's records round-trip exactly as on the wire), checkpoints and trained models in a blob container
/// with a local download cache under the data directory; run histories and energy-reference caches as append blobs
/// beside them.
/// </summary>
public static class AzureProfile
{
    public static void Configure(ISiloBuilder silo, SiloSettings settings, StorageConnection connection)
    {
        if (!IPAddress.TryParse(settings.AdvertisedAddress, out var address))
            throw new EppoException($"--advertise: '{settings.AdvertisedAddress}' is not an IP address");
        silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
        silo.UseAzureStorageClustering(o => o.TableServiceClient = connection.TableService());
        silo.UseAzureTableReminderService(o => o.TableServiceClient = connection.TableService());
        silo.AddAzureBlobGrainStorage(EppoStorage.Name, (OptionsBuilder<AzureBlobStorageOptions> options) =>
            options.Configure<Serializer>((o, serializer) =>
            {
                o.BlobServiceClient = connection.BlobService();
                o.ContainerName = settings.GrainStateContainer;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        var cache = Path.Combine(Path.GetFullPath(settings.DataRoot), "artifact-cache");
        silo.Services.AddSingleton<IArtifactStore>(sp => new BlobArtifactStore(
            connection.BlobService().GetBlobContainerClient(settings.ArtifactContainer), cache,
            sp.GetRequiredService<EppoResilience>(), sp.GetRequiredService<ILogger<BlobArtifactStore>>()));
        silo.Services.AddSingleton<IAppendLogStore>(sp => new BlobAppendLogStore(
            connection.BlobService().GetBlobContainerClient(settings.ArtifactContainer), sp.GetRequiredService<EppoResilience>()));
    }

    /// <summary>Fails before the silo joins when storage is malformed, unreachable or refuses us (one line, naming the setting).</summary>
    public static void Probe(SiloSettings settings, StorageConnection connection) =>
        StorageProbe.CheckAsync(connection, [(settings.ArtifactContainer, "artifact container"), (settings.GrainStateContainer, "grain state container")])
            .GetAwaiter().GetResult();
}
