using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using Eppo.Contracts;
using Eppo.Core.Checkpoints;
using TorchSharp;
using Eppo.Grains.Interfaces;

namespace Eppo.Cluster.Tests.Infrastructure;

/// <summary>
/// Shared by the collection: one Azurite, the test spec, and the final checkpoint of one uninterrupted run of it
/// (computed once, on first use) that every fault test compares against.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>The checkpoint files compared: weights, optimizer state and learner state (not metadata with timestamps).</summary>
    public static readonly string[] ComparedFiles =
        ["actor/model.safetensors", "actor/optimizer.safetensors", "critic/model.safetensors", "critic/optimizer.safetensors", "learner.json"];

    internal string WorkDirectory { get; } = Directory.CreateTempSubdirectory("eppo-cluster-").FullName;
    internal Azurite Azurite { get; private set; } = null!;
    public RunSpec Spec { get; } = RunSpec.Load(Path.Combine(AppContext.BaseDirectory, "cluster-test.json"));
    public string ConnectionString => Azurite.ConnectionString;

    readonly SemaphoreSlim referenceGate = new(1, 1);
    readonly Dictionary<string, IReadOnlyDictionary<string, string>> references = [];
    readonly Dictionary<string, string> referenceLocations = [];

    public async Task InitializeAsync()
    {
        Azurite = new Azurite(WorkDirectory);
        await Azurite.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Azurite.StopAsync();
        try { Directory.Delete(WorkDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The final checkpoint of a run of <paramref name="spec"/> (default: the test spec) without faults, on two silos.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReferenceAsync(RunSpec? spec = null)
    {
        spec ??= Spec;
        await referenceGate.WaitAsync();
        try
        {
            if (references.TryGetValue(spec.ToJson(), out var known)) return known;
            await using var cluster = new ProcessCluster(this, "reference");
            await cluster.StartSilosAsync(2);
            var runId = await cluster.StartRunAsync(spec);
            var status = await cluster.WaitForEndAsync(runId, TimeSpan.FromSeconds(600));
            Assert.True(status.State == RunState.Completed, $"reference run ended {status.State}: {status.Reason}");
            referenceLocations[spec.ToJson()] = status.LastCheckpoint!;
            return references[spec.ToJson()] = await CheckpointFilesAsync(status.LastCheckpoint!);
        }
        finally
        {
            referenceGate.Release();
        }
    }

    /// <summary>
    /// SHA-256 of each compared file of the checkpoint a run points at, from its artifact manifest; the actor's
    /// weights are downloaded and hashed here as well, so the manifest is checked, not trusted.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> CheckpointFilesAsync(string location)
    {
        Assert.StartsWith("blob:", location);
        var name = location["blob:".Length..];
        var container = new BlobServiceClient(ConnectionString).GetBlobContainerClient("eppo-artifacts");
        var manifestJson = (await container.GetBlobClient($"{name}/_manifest.json").DownloadContentAsync()).Value.Content.ToString();
        using var manifest = JsonDocument.Parse(manifestJson);
        var files = manifest.RootElement.GetProperty("Files");
        var hashes = ComparedFiles.ToDictionary(f => f, f => files.GetProperty(f).GetProperty("Sha256").GetString()!);
        var actor = (await container.GetBlobClient($"{name}/actor/model.safetensors").DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(hashes["actor/model.safetensors"], Convert.ToHexStringLower(SHA256.HashData(actor)));
        return hashes;
    }

    /// <summary>Completed, every iteration once and in order, and the same final checkpoint as the uninterrupted run.</summary>
    public async Task AssertMatchesReferenceAsync(RunStatus status, RunSpec? spec = null)
    {
        spec ??= Spec;
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Reason}");
        Assert.Equal(spec.Iterations, status.Iteration);
        Assert.Equal(Enumerable.Range(0, spec.Iterations).TakeLast(status.History.Count), status.History.Select(m => m.Iteration));
        var expected = await ReferenceAsync(spec);
        var actual = await CheckpointFilesAsync(status.LastCheckpoint!);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// Completed, every iteration once and in order, and the actor and critic within <paramref name="tolerance"/> of the
    /// uninterrupted run's, tensor by tensor: for a run whose sums may have been taken in another grouping (an iteration
    /// redone with fewer learner replicas adds the same rows in another order). Returns whether the files were identical.
    /// </summary>
    public async Task<bool> AssertCloseToReferenceAsync(RunStatus status, RunSpec spec, double tolerance)
    {
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Reason}");
        Assert.Equal(spec.Iterations, status.Iteration);
        Assert.Equal(Enumerable.Range(0, spec.Iterations).TakeLast(status.History.Count), status.History.Select(m => m.Iteration));
        var expected = await ReferenceAsync(spec);
        if (expected.SequenceEqual(await CheckpointFilesAsync(status.LastCheckpoint!))) return true;
        var container = new BlobServiceClient(ConnectionString).GetBlobContainerClient("eppo-artifacts");
        async Task<SafetensorsFile> ModelAsync(string location, string part)
        {
            var name = $"{location["blob:".Length..]}/{part}/model.safetensors";
            return SafetensorsFile.FromBytes((await container.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToMemory(), name);
        }
        using var scope = torch.NewDisposeScope();
        foreach (var part in new[] { "actor", "critic" })
        {
            var reference = await ModelAsync(referenceLocations[spec.ToJson()], part);
            var run = await ModelAsync(status.LastCheckpoint!, part);
            Assert.Equal(reference.Entries.Keys.Order(), run.Entries.Keys.Order());
            foreach (var name in reference.Entries.Keys)
            {
                var gap = (reference.ReadFloat32(name) - run.ReadFloat32(name)).abs().max().item<float>();
                Assert.True(gap <= tolerance, $"{part}/{name}: differs from the uninterrupted run's by {gap} (> {tolerance})");
            }
        }
        return false;
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
