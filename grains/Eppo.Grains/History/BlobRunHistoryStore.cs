using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Eppo.Contracts;
using Eppo.Grains.Hosting;

namespace Eppo.Grains.History;

/// <summary>
/// The azure profile: an append blob "{runId}/history.jsonl" in the artifact container. Append blobs cannot shrink,
/// so a cut (rare: only after a crash between append and commit) rewrites the blob with the committed prefix.
/// </summary>
public sealed class BlobRunHistoryStore(BlobContainerClient container, EppoResilience resilience) : IRunHistoryStore
{
    AppendBlobClient BlobOf(string runId) => container.GetAppendBlobClient($"{runId}/{LocalRunHistoryStore.FileName}");

    public Task AppendAsync(string runId, IReadOnlyList<IterationMetrics> records) =>
        resilience.RunStorageAsync(async token =>
        {
            var blob = BlobOf(runId);
            await blob.CreateIfNotExistsAsync(cancellationToken: token);
            using var block = new MemoryStream(HistoryLines.Encode(records));
            await blob.AppendBlockAsync(block, cancellationToken: token);
        });

    public async Task<IReadOnlyList<IterationMetrics>> ReadAsync(string runId, int iterations) =>
        HistoryLines.Decode(await DownloadAsync(runId), iterations).Records;

    public async Task TruncateAsync(string runId, int iterations)
    {
        var bytes = await DownloadAsync(runId);
        var (_, length) = HistoryLines.Decode(bytes, iterations);
        if (length == bytes.Length) return;
        await resilience.RunStorageAsync(async token =>
        {
            var blob = BlobOf(runId);
            await blob.CreateAsync(cancellationToken: token); // replaces the blob with an empty one
            // Append blocks are at most 4 MiB.
            for (var offset = 0L; offset < length; offset += 4 << 20)
            {
                using var block = new MemoryStream(bytes, (int)offset, (int)Math.Min(4 << 20, length - offset));
                await blob.AppendBlockAsync(block, cancellationToken: token);
            }
        });
    }

    Task<byte[]> DownloadAsync(string runId) =>
        resilience.RunStorageAsync(async token =>
        {
            try { return (await BlobOf(runId).DownloadContentAsync(token)).Value.Content.ToArray(); }
            catch (RequestFailedException e) when (e.Status == 404) { return Array.Empty<byte>(); }
        });
}
