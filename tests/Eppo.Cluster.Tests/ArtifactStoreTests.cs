using Azure.Storage.Blobs;
using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Core;
using Eppo.Grains.Artifacts;
using Eppo.Grains.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Eppo.Cluster.Tests;

/// <summary>The blob artifact store against Azurite: what is published comes back verified; what is half-written or altered never does.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ArtifactStoreTests(ClusterFixture fixture) : IDisposable
{
    readonly string scratch = System.IO.Directory.CreateTempSubdirectory("eppo-artifacts-").FullName;

    BlobContainerClient Container()
    {
        var container = new BlobServiceClient(fixture.ConnectionString).GetBlobContainerClient("test-artifacts");
        container.CreateIfNotExists();
        return container;
    }

    BlobArtifactStore Store(string cache) => new(Container(), Path.Combine(scratch, cache),
        new EppoResilience(Options.Create(new EppoSiloOptions { StorageRetryAttempts = 1, CallRetryAttempts = 1 }), NullLogger<EppoResilience>.Instance),
        NullLogger<BlobArtifactStore>.Instance);

    string SourceDirectory(params (string Name, string Text)[] files)
    {
        var dir = Path.Combine(scratch, "src-" + Guid.NewGuid().ToString("N"));
        foreach (var (name, text) in files)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, name))!);
            File.WriteAllText(Path.Combine(dir, name), text);
        }
        return dir;
    }

    [Fact]
    public async Task Published_directory_comes_back_identical_in_another_cache()
    {
        var name = $"runs/{Guid.NewGuid():N}/iter-000003";
        var location = await Store("a").PublishAsync(SourceDirectory(("actor/model.bin", "weights"), ("learner.json", "{}")), name);
        Assert.Equal("blob:" + name, location);
        Assert.Equal(location, await Store("b").FindAsync(name));

        var local = await Store("b").LocalPathAsync(location);
        Assert.Equal("weights", File.ReadAllText(Path.Combine(local, "actor/model.bin")));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(local, "learner.json")));
    }

    [Fact]
    public async Task Upload_without_its_manifest_is_not_found_and_not_loaded()
    {
        var name = $"runs/{Guid.NewGuid():N}/iter-000006";
        // What a silo killed mid-upload leaves: files, no manifest.
        await Container().GetBlobClient($"{name}/actor/model.bin").UploadAsync(BinaryData.FromString("half"));
        Assert.Null(await Store("a").FindAsync(name));
        var error = await Assert.ThrowsAsync<EppoException>(() => Store("a").LocalPathAsync("blob:" + name));
        Assert.Contains("has no manifest", error.Message);
    }

    [Fact]
    public async Task File_changed_after_publishing_fails_verification_and_leaves_no_cache_entry()
    {
        var name = $"runs/{Guid.NewGuid():N}/iter-000009";
        var location = await Store("a").PublishAsync(SourceDirectory(("actor/model.bin", "weights")), name);
        await Container().GetBlobClient($"{name}/actor/model.bin").UploadAsync(BinaryData.FromString("weightz"), overwrite: true);

        var error = await Assert.ThrowsAsync<EppoException>(() => Store("c").LocalPathAsync(location));
        Assert.Contains("file 'actor/model.bin' is corrupt", error.Message);
        Assert.False(System.IO.Directory.Exists(Path.Combine(scratch, "c", name)));
    }

    [Fact]
    public async Task Publishing_an_existing_name_keeps_the_first_artifact()
    {
        var name = $"models/{Guid.NewGuid():N}/sft";
        await Store("a").PublishAsync(SourceDirectory(("model.bin", "first")), name);
        await Store("a").PublishAsync(SourceDirectory(("model.bin", "second")), name);
        var local = await Store("d").LocalPathAsync("blob:" + name);
        Assert.Equal("first", File.ReadAllText(Path.Combine(local, "model.bin")));
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(scratch, recursive: true); } catch (IOException) { }
    }
}
