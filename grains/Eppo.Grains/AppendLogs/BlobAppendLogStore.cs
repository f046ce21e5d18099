using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Eppo.Grains.Hosting;

namespace Eppo.Grains.AppendLogs;

/// <summary>
/// The azure profile: a log is the append blob "{name}" in the artifact container. Every operation runs under the
/// storage retry pipeline; an append is conditional on the position it expects, so a try whose reply was lost is not
/// appended twice. Append blobs cannot shrink: a cut (rare: after a crash) rewrites the blob with the kept prefix.
/// </summary>
public sealed class BlobAppendLogStore(BlobContainerClient container, EppoResilience resilience) : IAppendLogStore
{
    /// <summary>The most one append block may hold.</summary>
    const int MaxBlock = 4 << 20;

    public IAppendLog Open(string name) => new BlobLog(container.GetAppendBlobClient(name), resilience);

    sealed class BlobLog(AppendBlobClient blob, EppoResilience resilience) : IAppendLog
    {
        public Task<long> LengthAsync() => resilience.RunStorageAsync(LengthAsync);

        async Task<long> LengthAsync(CancellationToken token)
        {
            try { return (await blob.GetPropertiesAsync(cancellationToken: token)).Value.ContentLength; }
            catch (RequestFailedException e) when (e.Status == 404) { return 0; }
        }

        public Task<byte[]> ReadAsync(long offset, int count) =>
            count <= 0
                ? Task.FromResult(Array.Empty<byte>())
                : resilience.RunStorageAsync(async token =>
                {
                    try { return (await blob.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(offset, count) }, token)).Value.Content.ToArray(); }
                    catch (RequestFailedException e) when (e.Status is 404 or 416) { return []; } // no blob, or the range starts past its end
                });

        public Task<long> AppendAsync(byte[] bytes, CancellationToken cancellation = default)
        {
            long? start = null;
            return resilience.RunStorageAsync(async token =>
            {
                await blob.CreateIfNotExistsAsync(cancellationToken: token);
                var length = await LengthAsync(token);
                start ??= length;
                // An earlier try may have appended some of the blocks (each is all or nothing) before its reply was lost.
                var done = length - start.Value;
                if (done < 0 || done > bytes.Length || (done % MaxBlock != 0 && done != bytes.Length))
                    throw new InvalidOperationException($"append blob '{blob.Name}' changed under its writer ({start} bytes expected, {length} found)");
                for (var offset = (int)done; offset < bytes.Length; offset += MaxBlock)
                {
                    using var block = new MemoryStream(bytes, offset, Math.Min(MaxBlock, bytes.Length - offset), writable: false);
                    await blob.AppendBlockAsync(block, new AppendBlobAppendBlockOptions
                    {
                        Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = start.Value + offset },
                    }, token);
                }
                return start.Value;
            }, cancellation);
        }

        public async Task CutAsync(long length)
        {
            if (await LengthAsync() <= length) return;
            var kept = new List<byte[]>();
            for (var offset = 0L; offset < length; offset += MaxBlock)
                kept.Add(await ReadAsync(offset, (int)Math.Min(MaxBlock, length - offset)));
            await resilience.RunStorageAsync(async token =>
            {
                await blob.CreateAsync(cancellationToken: token); // replaces the blob with an empty one
                foreach (var part in kept)
                {
                    using var block = new MemoryStream(part, writable: false);
                    await blob.AppendBlockAsync(block, cancellationToken: token);
                }
            });
        }
    }
}
