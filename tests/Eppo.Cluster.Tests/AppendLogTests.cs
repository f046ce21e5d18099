using System.Text;
using Azure.Storage.Blobs;
using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Grains.AppendLogs;
using Eppo.Grains.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Eppo.Cluster.Tests;

/// <summary>
/// Both profiles' append logs (a file under the data root, an append blob on Azurite): appends return where they
/// start, ranges read back, blocks over the blob's 4 MiB limit are split, lines are read whole across read chunks,
/// and a cut keeps the prefix.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AppendLogTests(ClusterFixture fixture) : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("eppo-logs-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }

    IAppendLog Local(string name) => new LocalAppendLogStore(Options.Create(new EppoSiloOptions { DataRoot = root })).Open(name);

    IAppendLog Blob(string name)
    {
        var container = new BlobServiceClient(fixture.ConnectionString).GetBlobContainerClient("test-logs");
        container.CreateIfNotExists();
        return new BlobAppendLogStore(container,
            new EppoResilience(Options.Create(new EppoSiloOptions { StorageRetryAttempts = 1, CallRetryAttempts = 1 }), NullLogger<EppoResilience>.Instance)).Open(name);
    }

    static async Task KeepsTheContract(IAppendLog log)
    {
        Assert.Equal(0, await log.LengthAsync());
        Assert.Empty(await log.ReadAsync(0, 10));
        // 5,000 lines of 1,000 bytes: 5 MB, over one blob block and across the 1 MiB read chunks.
        var lines = Enumerable.Range(0, 5_000).Select(i => $"{i:D6} {new string((char)('a' + i % 26), 992)}\n").ToArray();
        var first = Encoding.UTF8.GetBytes(string.Concat(lines.Take(10)));
        Assert.Equal(0, await log.AppendAsync(first));
        Assert.Equal(first.Length, await log.AppendAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Skip(10)))));
        Assert.Equal(5_000_000, await log.LengthAsync());
        Assert.Equal(lines[1234][..20], Encoding.UTF8.GetString(await log.ReadAsync(1234_000, 20)));
        Assert.Equal(10, (await log.ReadAsync(4_999_990, 100)).Length);  // fewer at the end
        Assert.Empty(await log.ReadAsync(5_000_000, 100));

        var read = await AppendLogLines.ReadAsync(log, 1_000).ToArrayAsync();
        Assert.Equal(4_999, read.Length);
        Assert.Equal(lines[1_049].TrimEnd('\n'), Encoding.UTF8.GetString(read[1_048].Line));   // line 1,049 straddles the first chunk's end
        Assert.Equal(1_050_000, read[1_048].End);

        // A line without its end is not returned; a cut takes it away.
        await log.AppendAsync(Encoding.UTF8.GetBytes("005000 half a li"));
        Assert.Equal(4_999, await AppendLogLines.ReadAsync(log, 1_000).CountAsync());
        await log.CutAsync(3_000);
        Assert.Equal(3_000, await log.LengthAsync());
        Assert.Equal(string.Concat(lines.Take(3)), Encoding.UTF8.GetString(await log.ReadAsync(0, 10_000)));
        Assert.Equal(3_000, await log.AppendAsync(Encoding.UTF8.GetBytes(lines[3])));
    }

    [Fact]
    public Task A_file_keeps_the_append_log_contract() => KeepsTheContract(Local($"run-{Guid.NewGuid():N}/log.jsonl"));

    [Fact]
    public Task An_append_blob_keeps_the_append_log_contract() => KeepsTheContract(Blob($"run-{Guid.NewGuid():N}/log.jsonl"));
}
