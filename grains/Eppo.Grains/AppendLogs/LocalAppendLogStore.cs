using Eppo.Grains.Hosting;
using Microsoft.Extensions.Options;

namespace Eppo.Grains.AppendLogs;

/// <summary>The local profile: a log is the file {DataRoot}/{name}; every append is fsynced.</summary>
public sealed class LocalAppendLogStore(IOptions<EppoSiloOptions> options) : IAppendLogStore
{
    public IAppendLog Open(string name) => new FileLog(Path.Combine(options.Value.DataRoot, name));

    sealed class FileLog(string path) : IAppendLog
    {
        public Task<long> LengthAsync() => Task.FromResult(File.Exists(path) ? new FileInfo(path).Length : 0L);

        public async Task<byte[]> ReadAsync(long offset, int count)
        {
            if (!File.Exists(path)) return [];
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (offset >= file.Length) return [];
            var bytes = new byte[(int)Math.Min(count, file.Length - offset)];
            file.Position = offset;
            await file.ReadExactlyAsync(bytes);
            return bytes;
        }

        public async Task<long> AppendAsync(byte[] bytes, CancellationToken cancellation = default)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var start = file.Position;
            await file.WriteAsync(bytes, cancellation);
            file.Flush(flushToDisk: true);
            return start;
        }

        public Task CutAsync(long length)
        {
            if (!File.Exists(path)) return Task.CompletedTask;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            if (file.Length <= length) return Task.CompletedTask;
            file.SetLength(length);
            file.Flush(flushToDisk: true);
            return Task.CompletedTask;
        }
    }
}
