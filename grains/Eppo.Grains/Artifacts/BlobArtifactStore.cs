using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Eppo.Core;
using Eppo.Core.Checkpoints;
using Eppo.Grains.Hosting;
using Microsoft.Extensions.Logging;

namespace Eppo.Grains.Artifacts;

/// <summary>
/// The azure profile: an artifact is the blobs under "{name}/" in one container, plus "{name}/_manifest.json"
/// uploaded last. Downloads go to {cacheRoot}/{name} through <see cref="AtomicDirectory"/>: renamed into place only
/// after every file matched the manifest and was fsynced. Every storage operation runs under the storage retry pipeline.
/// </summary>
public sealed class BlobArtifactStore(BlobContainerClient container, string cacheRoot, EppoResilience resilience, ILogger<BlobArtifactStore> logger)
    : IArtifactStore
{
    public const string Scheme = "blob:";

    readonly ConcurrentDictionary<string, SemaphoreSlim> downloads = new();

    public bool IsRemote => true;

    public static bool IsBlobLocation(string location) => location.StartsWith(Scheme, StringComparison.Ordinal);

    public async Task<string> PublishAsync(string localDirectory, string name, CancellationToken cancellation = default)
    {
        RequireName(name);
        var location = Scheme + name;
        if (await FindAsync(name, cancellation) is not null) return location;
        var manifest = ArtifactManifest.Of(localDirectory);
        foreach (var file in manifest.Files.Keys)
            await resilience.RunStorageAsync(token =>
                container.GetBlobClient($"{name}/{file}").UploadAsync(Path.Combine(localDirectory, file), overwrite: true, token), cancellation);
        await resilience.RunStorageAsync(token =>
            container.GetBlobClient($"{name}/{ArtifactManifest.BlobName}").UploadAsync(BinaryData.FromBytes(manifest.ToBytes()), overwrite: true, token), cancellation);
        logger.LogInformation("published {Location} ({Files} files, {Bytes} bytes)", location, manifest.Files.Count, manifest.Files.Values.Sum(f => f.Bytes));
        return location;
    }

    public async Task<string?> FindAsync(string name, CancellationToken cancellation = default)
    {
        RequireName(name);
        var exists = await resilience.RunStorageAsync(async token =>
            (await container.GetBlobClient($"{name}/{ArtifactManifest.BlobName}").ExistsAsync(token)).Value, cancellation);
        return exists ? Scheme + name : null;
    }

    public async Task<string> LocalPathAsync(string location, CancellationToken cancellation = default)
    {
        if (!IsBlobLocation(location)) return location;
        var cached = Path.Combine(cacheRoot, NameOf(location));
        if (Directory.Exists(cached)) return cached;
        var gate = downloads.GetOrAdd(location, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellation);
        try
        {
            if (!Directory.Exists(cached)) await CopyToAsync(location, cached, cancellation);
            return cached;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task CopyToAsync(string location, string directory, CancellationToken cancellation = default)
    {
        var name = NameOf(location);
        var manifestBytes = await resilience.RunStorageAsync(async token =>
        {
            try
            {
                return (await container.GetBlobClient($"{name}/{ArtifactManifest.BlobName}").DownloadContentAsync(token)).Value.Content;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw new EppoException($"artifact '{location}' is missing or incomplete: it has no manifest (container '{container.Name}')");
            }
        }, cancellation);
        var manifest = ArtifactManifest.Parse(manifestBytes, location);

        // Another download of the same artifact may finish first; theirs was verified too, so it stays.
        await AtomicDirectory.CreateAsync(directory, async temp =>
        {
            foreach (var file in manifest.Files.Keys)
            {
                var path = Path.Combine(temp, file);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await resilience.RunStorageAsync(async token =>
                {
                    try
                    {
                        await container.GetBlobClient($"{name}/{file}").DownloadToAsync(path, token);
                    }
                    catch (RequestFailedException e) when (e.Status == 404)
                    {
                        throw new EppoException($"artifact '{location}': file '{file}' listed in the manifest is missing");
                    }
                }, cancellation);
            }
            manifest.Verify(temp, location);
        });
    }

    static string NameOf(string location)
    {
        if (!IsBlobLocation(location)) throw new EppoException($"artifact location '{location}' is not a blob location ({Scheme}…)");
        var name = location[Scheme.Length..];
        RequireName(name);
        return name;
    }

    static void RequireName(string name)
    {
        if (name.Length == 0 || name.StartsWith('/') || name.EndsWith('/') || name.Split('/').Any(part => part is "" or "." or ".."))
            throw new EppoException($"artifact name '{name}' is not a relative path like 'run/checkpoints/iter-000004'");
    }
}
