using System.Security.Cryptography;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// Bytes held as fixed-size chunks (the last one shorter), never as one array: how a policy version of any size is
/// written once, hashed as it is written, and served chunk by chunk; and how a receiver holds what arrived until it is
/// verified. Write-only as a <see cref="Stream"/>; <see cref="Read(long, Span{byte})"/> gives random access across chunk boundaries.
/// </summary>
public sealed class ChunkedBytes : Stream
{
    readonly List<byte[]> chunks = [];
    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    readonly int chunkBytes;
    int filled;  // bytes used in the last chunk
    long length;
    byte[]? sha256;

    readonly bool hashed;

    /// <param name="hashed">False for bytes that never leave the process (a learner's snapshot): no SHA-256 to pay for.</param>
    public ChunkedBytes(int chunkBytes, bool hashed = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        this.chunkBytes = chunkBytes;
        this.hashed = hashed;
    }

    /// <summary>The chunks written so far; all of <see cref="ChunkBytes"/> but the last.</summary>
    public IReadOnlyList<byte[]> Chunks => chunks;

    public int ChunkBytes => chunkBytes;

    /// <summary>SHA-256 of everything written; writing ends when it is read.</summary>
    public byte[] Sha256 => hashed ? sha256 ??= hash.GetHashAndReset() : throw new InvalidOperationException("chunked bytes written without their hash");

    public override long Length => length;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (sha256 is not null) throw new InvalidOperationException("chunked bytes: written after their hash was taken");
        if (hashed) hash.AppendData(buffer);
        length += buffer.Length;
        while (buffer.Length > 0)
        {
            if (chunks.Count == 0 || filled == chunks[^1].Length)
            {
                chunks.Add(GC.AllocateUninitializedArray<byte>(chunkBytes));
                filled = 0;
            }
            var n = Math.Min(buffer.Length, chunks[^1].Length - filled);
            buffer[..n].CopyTo(chunks[^1].AsSpan(filled));
            filled += n;
            buffer = buffer[n..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Ends writing: the last chunk is cut to what it holds.</summary>
    public override void Flush()
    {
        if (chunks.Count > 0 && filled < chunks[^1].Length) chunks[^1] = chunks[^1].AsSpan(0, filled).ToArray();
    }

    /// <summary>Exactly <paramref name="into"/>.Length bytes at <paramref name="offset"/>.</summary>
    public void Read(long offset, Span<byte> into)
    {
        if (offset < 0 || offset + into.Length > length) throw new EndOfStreamException();
        while (into.Length > 0)
        {
            var (chunk, at) = ((int)(offset / chunkBytes), (int)(offset % chunkBytes));
            var n = Math.Min(into.Length, chunks[chunk].Length - at);
            chunks[chunk].AsSpan(at, n).CopyTo(into);
            into = into[n..];
            offset += n;
        }
    }

    /// <summary>A read-only stream over what was written (an archive that arrived in chunks, say).</summary>
    public Stream OpenRead() => new Reader(this);

    sealed class Reader(ChunkedBytes bytes) : Stream
    {
        long position;

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, bytes.Length - position);
            bytes.Read(position, buffer[..n]);
            position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Chunks that arrived in order (all of <paramref name="chunkBytes"/> but the last), appended as written.</summary>
    public static ChunkedBytes Of(IEnumerable<byte[]> arrived, int chunkBytes)
    {
        var bytes = new ChunkedBytes(chunkBytes);
        foreach (var chunk in arrived) bytes.Write(chunk);
        bytes.Flush();
        return bytes;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Position { get => length; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) hash.Dispose();
        base.Dispose(disposing);
    }
}
