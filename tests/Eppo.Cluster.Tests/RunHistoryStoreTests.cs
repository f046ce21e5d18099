using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Contracts;
using Eppo.Grains.AppendLogs;
using Eppo.Grains.History;
using Eppo.Grains.Hosting;
using Eppo.Grains.Runs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Eppo.Cluster.Tests;

/// <summary>
/// The history store keeps one contract over both profiles' append logs (local file, append blob on Azurite): appends
/// in order, pages read by the index, a record cut short by a crash ignored, a cut back to the committed iteration,
/// and a page that reads its own lines only.
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

    LocalAppendLogStore LocalLogs() => new(Options.Create(new EppoSiloOptions { DataRoot = root }));

    BlobContainerClient Container()
    {
        var container = new BlobServiceClient(fixture.ConnectionString).GetBlobContainerClient("test-history");
        container.CreateIfNotExists();
        return container;
    }

    BlobAppendLogStore BlobLogs() => new(Container(),
        new EppoResilience(Options.Create(new EppoSiloOptions { StorageRetryAttempts = 1, CallRetryAttempts = 1 }), NullLogger<EppoResilience>.Instance));

    static async Task<int[]> IterationsAsync(IRunHistoryStore store, string run, int from = 0, int count = 10) =>
        (await store.ReadAsync(run, from, count)).Select(m => m.Iteration).ToArray();

    static void Same(int[] expected, int[] actual) => Assert.Equal(expected, actual);

    static async Task AppendsReadsAndCutsBack(IAppendLogStore logs, string run)
    {
        var store = new RunHistoryStore(logs);
        var lines = logs.Open($"{run}/{RunHistoryStore.FileName}");
        Assert.Empty(await store.ReadAsync(run, 0, 10));
        await store.AppendAsync(run, [Record(0), Record(1)]);
        await store.AppendAsync(run, [Record(2) with { Checkpoint = "checkpoints/iter-000003" }]);
        var all = await store.ReadAsync(run, 0, 10);
        Assert.Equal([0, 1, 2], all.Select(m => m.Iteration));
        Assert.Equal(Record(1), all[1]);
        Assert.Equal("checkpoints/iter-000003", all[2].Checkpoint);
        Same([0, 1], await IterationsAsync(store, run, 0, 2));
        Same([1, 2], await IterationsAsync(store, run, 1, 5));
        Assert.Empty(await store.ReadAsync(run, 3, 5));

        // A crash mid-append: half a record, no newline, no index entry. Reading stops before it; a cut removes it.
        await lines.AppendAsync(Encoding.UTF8.GetBytes("{\"iteration\": 3, \"policy_ver"));
        Same([0, 1, 2], await IterationsAsync(store, run));
        await store.TruncateAsync(run, 10);
        await store.AppendAsync(run, [Record(3)]);
        Same([0, 1, 2, 3], await IterationsAsync(store, run));
        Same([3], await IterationsAsync(store, run, 3, 1));

        // Appended past the last commit (crash before the commit was recorded): cut back to it.
        await store.TruncateAsync(run, 2);
        Same([0, 1], await IterationsAsync(store, run));
        await store.AppendAsync(run, [Record(2)]);
        Same([0, 1, 2], await IterationsAsync(store, run));
        Assert.Null((await store.ReadAsync(run, 0, 10))[2].Checkpoint);

        // A crash between the lines and their index entries: the lines are read on past the index, and the cut completes it.
        await lines.AppendAsync(HistoryLines.Encode(Record(3)));
        Same([2, 3], await IterationsAsync(store, run, 2, 5));
        Same([3], await IterationsAsync(store, run, 3, 5));
        await store.TruncateAsync(run, 4);
        Assert.Equal(4 * sizeof(long), await logs.Open($"{run}/{RunHistoryStore.IndexName}").LengthAsync());
        Same([0, 1, 2, 3], await IterationsAsync(store, run));

        // A commit that does not follow the stored iterations (another activation cut them back) is refused, not a hole.
        await store.TruncateAsync(run, 2);
        var hole = await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync(run, [Record(4), Record(5)]));
        Assert.Contains("2 iterations stored", hole.Message);
        Same([0, 1], await IterationsAsync(store, run));
    }

    [Fact]
    public Task Local_file_keeps_the_history_contract() => AppendsReadsAndCutsBack(LocalLogs(), "run-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public Task Append_blob_keeps_the_history_contract() => AppendsReadsAndCutsBack(BlobLogs(), "run-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_page_in_the_middle_of_a_long_history_reads_its_own_lines_only()
    {
        var logs = new CountingLogStore(LocalLogs());
        var store = new RunHistoryStore(logs);
        var run = "long-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 10_000; i += 100) await store.AppendAsync(run, Enumerable.Range(i, 100).Select(Record).ToArray());
        var fileBytes = new FileInfo(Path.Combine(root, run, RunHistoryStore.FileName)).Length;

        logs.BytesRead = 0;
        var page = await store.ReadAsync(run, 5_000, 20);
        Assert.Equal(Enumerable.Range(5_000, 20), page.Select(m => m.Iteration));
        Assert.Equal(Record(5_010), page[10]);
        // Exactly the page's lines, and 21 index entries (where the first line starts, where each ends).
        var pageBytes = Enumerable.Range(5_000, 20).Sum(i => HistoryLines.Encode(Record(i)).Length);
        Assert.Equal(pageBytes + 21 * sizeof(long), logs.BytesRead);
        Assert.True(logs.BytesRead * 100 < fileBytes, $"{logs.BytesRead} bytes read of {fileBytes}");

        // Through the run grain's view: the same page, and a reset reads the tail, not the history.
        var history = new RunHistory(store, run);
        logs.BytesRead = 0;
        await history.ResetAsync(10_000);
        var tailBytes = Enumerable.Range(10_000 - RunHistory.TailSize, RunHistory.TailSize).Sum(i => HistoryLines.Encode(Record(i)).Length);
        Assert.InRange(logs.BytesRead, tailBytes, tailBytes + 4 * HistoryLines.Encode(Record(9_999)).Length + 8 * sizeof(long) + RunHistory.TailSize * sizeof(long));
        Assert.Equal(Enumerable.Range(9_800, 200), history.Tail.Select(m => m.Iteration));
        logs.BytesRead = 0;
        Assert.Equal(page, await history.PageAsync(5_000, 20, committedIterations: 10_000));
        Assert.Equal(pageBytes + 21 * sizeof(long), logs.BytesRead);
        Assert.Equal(10_000, (await store.ReadAsync(run, 0, 10_000)).Count);
    }

    [Fact]
    public async Task A_history_written_before_the_index_is_indexed_when_it_is_cut_back()
    {
        var run = "old-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(Path.Combine(root, run));
        await File.WriteAllBytesAsync(Path.Combine(root, run, RunHistoryStore.FileName), Enumerable.Range(0, 50).SelectMany(i => HistoryLines.Encode(Record(i))).ToArray());
        var store = new RunHistoryStore(LocalLogs());
        Same([40, 41], await IterationsAsync(store, run, 40, 2)); // no index yet: the lines are followed
        await store.TruncateAsync(run, 45);                                 // activation: cut back to the commit, index built
        Assert.Equal(45 * sizeof(long), new FileInfo(Path.Combine(root, run, RunHistoryStore.IndexName)).Length);
        Same([43, 44], await IterationsAsync(store, run, 43, 5));
        await store.AppendAsync(run, [Record(45)]);
        Assert.Equal(Enumerable.Range(0, 46), await IterationsAsync(store, run, 0, 100));
    }

    /// <summary>The profile's append logs, counting the bytes read through them.</summary>
    sealed class CountingLogStore(IAppendLogStore inner) : IAppendLogStore
    {
        public long BytesRead;

        public IAppendLog Open(string name) => new Counting(inner.Open(name), this);

        sealed class Counting(IAppendLog log, CountingLogStore owner) : IAppendLog
        {
            public Task<long> LengthAsync() => log.LengthAsync();

            public async Task<byte[]> ReadAsync(long offset, int count)
            {
                var bytes = await log.ReadAsync(offset, count);
                Interlocked.Add(ref owner.BytesRead, bytes.Length);
                return bytes;
            }

            public Task<long> AppendAsync(byte[] bytes, CancellationToken cancellation = default) => log.AppendAsync(bytes, cancellation);

            public Task CutAsync(long length) => log.CutAsync(length);
        }
    }
}
