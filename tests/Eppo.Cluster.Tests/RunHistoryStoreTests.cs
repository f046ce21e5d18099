using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Contracts;
using Eppo.Grains.History;
using Eppo.Grains.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Eppo.Cluster.Tests;

/// <summary>
/// Both history stores (local file, append blob on Azurite) keep the same contract: appends in order, a read up to the
/// committed iteration, a record cut short by a crash ignored, and a cut back to the committed iteration.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RunHistoryStoreTests(ClusterFixture fixture) : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("eppo-history-").FullName;

    static IterationMetrics Record(int iteration) => new() { Iteration = iteration, PolicyVersion = iteration + 1, ProxyReward = iteration * 0.5, GoldReward = -iteration };

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }

    LocalRunHistoryStore Local() => new(Options.Create(new EppoSiloOptions { DataRoot = root }));

    BlobContainerClient Container()
    {
        var container = new BlobServiceClient(fixture.ConnectionString).GetBlobContainerClient("test-history");
        container.CreateIfNotExists();
        return container;
    }

    BlobRunHistoryStore Blob() => new(Container(),
        new EppoResilience(Options.Create(new EppoSiloOptions { StorageRetryAttempts = 1, CallRetryAttempts = 1 }), NullLogger<EppoResilience>.Instance));

    static async Task AppendsReadsAndCutsBack(IRunHistoryStore store, string run, Func<byte[], Task> appendRaw)
    {
        Assert.Empty(await store.ReadAsync(run, 10));
        await store.AppendAsync(run, [Record(0), Record(1)]);
        await store.AppendAsync(run, [Record(2) with { Checkpoint = "checkpoints/iter-000003" }]);
        var all = await store.ReadAsync(run, 10);
        Assert.Equal([0, 1, 2], all.Select(m => m.Iteration));
        Assert.Equal(Record(1), all[1]);
        Assert.Equal("checkpoints/iter-000003", all[2].Checkpoint);
        Assert.Equal([0, 1], (await store.ReadAsync(run, 2)).Select(m => m.Iteration));

        // A crash mid-append: half a record, no newline. Reading stops before it; a cut removes it.
        await appendRaw(Encoding.UTF8.GetBytes("{\"iteration\": 3, \"policy_ver"));
        Assert.Equal([0, 1, 2], (await store.ReadAsync(run, 10)).Select(m => m.Iteration));
        await store.TruncateAsync(run, 10);
        await store.AppendAsync(run, [Record(3)]);
        Assert.Equal([0, 1, 2, 3], (await store.ReadAsync(run, 10)).Select(m => m.Iteration));

        // Appended past the last commit (crash before the commit was recorded): cut back to it.
        await store.TruncateAsync(run, 2);
        Assert.Equal([0, 1], (await store.ReadAsync(run, 10)).Select(m => m.Iteration));
        await store.AppendAsync(run, [Record(2)]);
        Assert.Equal([0, 1, 2], (await store.ReadAsync(run, 10)).Select(m => m.Iteration));
        Assert.Null((await store.ReadAsync(run, 10))[2].Checkpoint);
    }

    [Fact]
    public Task Local_file_keeps_the_history_contract()
    {
        var run = "run-" + Guid.NewGuid().ToString("N")[..8];
        return AppendsReadsAndCutsBack(Local(), run,
            bytes => File.AppendAllTextAsync(Path.Combine(root, run, LocalRunHistoryStore.FileName), Encoding.UTF8.GetString(bytes)));
    }

    [Fact]
    public Task Append_blob_keeps_the_history_contract()
    {
        var run = "run-" + Guid.NewGuid().ToString("N")[..8];
        return AppendsReadsAndCutsBack(Blob(), run, async bytes =>
        {
            using var block = new MemoryStream(bytes);
            await Container().GetAppendBlobClient($"{run}/{LocalRunHistoryStore.FileName}").AppendBlockAsync(block);
        });
    }

    [Fact]
    public async Task A_long_history_reads_back_whole()
    {
        var store = Local();
        var run = "long-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 1000; i += 10) await store.AppendAsync(run, Enumerable.Range(i, 10).Select(Record).ToArray());
        var all = await store.ReadAsync(run, 1000);
        Assert.Equal(Enumerable.Range(0, 1000), all.Select(m => m.Iteration));
    }
}
