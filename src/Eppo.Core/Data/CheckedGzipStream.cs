using System.Buffers.Binary;
using System.IO.Compression;

namespace Eppo.Core.Data;

/// <summary>
/// A gzip file decompressed, failing with one line when the file is damaged or cut short. GZipStream ends a
/// truncated file silently, as if it were complete, so at the end the decompressed length is checked against the
/// length the gzip trailer records (ISIZE: the last 4 bytes, mod 2^32). A file of several concatenated gzip members
/// (which gzip writes only when asked) fails that check too, and is refused with the same line.
/// </summary>
internal sealed class CheckedGzipStream : Stream
{
    const int SmallestGzip = 18;  // 10-byte header, empty deflate data, 8-byte trailer

    readonly string path;
    readonly GZipStream gzip;
    readonly uint recordedLength;
    uint length;

    CheckedGzipStream(string path, GZipStream gzip, uint recordedLength)
    {
        this.path = path;
        this.gzip = gzip;
        this.recordedLength = recordedLength;
    }

    public static Stream Open(string path)
    {
        var file = File.OpenRead(path);
        try
        {
            Span<byte> bytes = stackalloc byte[4];
            if (file.ReadAtLeast(bytes[..2], 2, throwOnEndOfStream: false) < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b)
                throw new EppoException($"{path}: not a gzip file (it does not start with the gzip header; a plain JSON-lines file is named .jsonl)");
            if (file.Length < SmallestGzip) throw new EppoException($"{path}: truncated gzip file ({file.Length} bytes)");
            file.Seek(-4, SeekOrigin.End);
            file.ReadExactly(bytes);
            file.Seek(0, SeekOrigin.Begin);
            return new CheckedGzipStream(path, new GZipStream(file, CompressionMode.Decompress), BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new EppoException($"{path}: damaged gzip data ({e.Message})");
        }
        length = unchecked(length + (uint)read);
        if (read == 0 && buffer.Length > 0 && length != recordedLength)
            throw new EppoException($"{path}: truncated gzip file (its data ends before the length its gzip trailer records; download it again)");
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) gzip.Dispose();
        base.Dispose(disposing);
    }
}
