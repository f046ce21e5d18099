using System.Text.Json;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// The one safetensors reader: a file on disk, bytes in memory or a seekable stream, read tensor by tensor (8-byte
/// little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw bytes), so a
/// checkpoint loads without a second copy of its weights in memory. A tensor goes into a destination of any dtype and
/// device: straight from the source into its memory when the dtypes match and it is a contiguous CPU tensor, else
/// through a CPU tensor of the stored dtype and libtorch's conversion (copy_, i.e. <c>.to(dtype)</c>: round to
/// nearest even for F32 → BF16). Floating-point tensors are checked once read: NaN or Inf is refused, naming the
/// source and the tensor. Every error is one line naming the source.
/// </summary>
public sealed class SafetensorsFile
{
    public const string MetadataKey = "__metadata__";

    /// <summary>The most bytes read into one span at a time (Span lengths are int; tensors may be larger).</summary>
    const int ReadChunk = 64 << 20;

    readonly ByteSource bytes;
    readonly long dataStart;
    readonly Dictionary<string, SafetensorsEntry> entries;

    SafetensorsFile(string source, ByteSource bytes, long dataStart, Dictionary<string, SafetensorsEntry> entries, Dictionary<string, string> metadata) =>
        (Source, this.bytes, this.dataStart, this.entries, Metadata) = (source, bytes, dataStart, entries, metadata);

    /// <summary>What errors name: the file's path, or the name given to bytes or a stream.</summary>
    public string Source { get; }

    public IReadOnlyDictionary<string, SafetensorsEntry> Entries => entries;

    /// <summary>The header's <c>__metadata__</c> string map (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new EppoException($"{path}: file not found");
        return Parse(path, new FileBytes(path, new FileInfo(path).Length));
    }

    /// <summary>A file held in memory (e.g. policy weights that arrived as bytes); the bytes are read, not copied.</summary>
    public static SafetensorsFile FromBytes(ReadOnlyMemory<byte> file, string source) => Parse(source, new MemoryBytes(file));

    /// <summary>A file held in chunks (a policy version as it arrived), read across chunk boundaries.</summary>
    public static SafetensorsFile FromChunks(ChunkedBytes file, string source) => Parse(source, new ChunkSource(file));

    /// <summary>A file in a seekable stream, which the caller keeps open (and unshared) while tensors are read.</summary>
    public static SafetensorsFile FromStream(Stream file, string source)
    {
        if (!file.CanSeek || !file.CanRead) throw new ArgumentException("safetensors needs a readable, seekable stream", nameof(file));
        return Parse(source, new StreamBytes(file));
    }

    /// <summary>
    /// One tensor whose bytes came on their own — e.g. <see cref="SafetensorsWriter.TensorBytes"/> with its entry from
    /// <see cref="SafetensorsWriter.Entries"/> (only its dtype and shape count) — to read with <see cref="ReadInto"/> or
    /// <see cref="Read"/> under <paramref name="name"/>, with the same checks as a whole file.
    /// </summary>
    public static SafetensorsFile OfTensor(string name, SafetensorsEntry entry, ReadOnlyMemory<byte> bytes, string source)
    {
        var local = entry with { Begin = 0, End = bytes.Length };
        RequireSize(source, name, local);
        return new SafetensorsFile(source, new MemoryBytes(bytes), 0, new() { [name] = local }, []);
    }

    static void RequireSize(string source, string name, SafetensorsEntry entry)
    {
        if (SafetensorsDtype.TypeOf(entry.Dtype) is { } type && entry.Bytes != entry.Elements * SafetensorsDtype.SizeOf(type))
            throw new EppoException($"{source}: tensor '{name}' has {entry.Bytes} bytes for shape [{string.Join(", ", entry.Shape)}] of {entry.Dtype}");
    }

    static SafetensorsFile Parse(string source, ByteSource bytes)
    {
        if (bytes.Length < 8) throw new EppoException($"{source}: not a safetensors file (shorter than its header length)");
        Span<byte> lengthBytes = stackalloc byte[8];
        bytes.Read(0, lengthBytes);
        var headerLength = BitConverter.ToInt64(lengthBytes);
        if (headerLength <= 0 || headerLength > 100_000_000 || 8 + headerLength > bytes.Length)
            throw new EppoException($"{source}: not a safetensors file (header length {headerLength})");
        var header = new byte[headerLength];
        bytes.Read(8, header);
        var entries = new Dictionary<string, SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var json = JsonDocument.Parse(header);
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw new EppoException($"{source}: the safetensors header is not a JSON object");
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    foreach (var item in property.Value.EnumerateObject()) metadata[item.Name] = item.Value.GetString() ?? "";
                    continue;
                }
                var dtype = property.Value.GetProperty("dtype").GetString() ?? "";
                var shape = property.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                if (offsets.Length != 2 || shape.Any(d => d < 0)) throw new FormatException($"tensor '{property.Name}' has a bad shape or data_offsets");
                entries[property.Name] = new SafetensorsEntry(dtype, shape, offsets[0], offsets[1]);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new EppoException($"{source}: the safetensors header is malformed ({e.Message})");
        }
        var dataLength = bytes.Length - 8 - headerLength;
        foreach (var (name, entry) in entries)
        {
            if (entry.Begin < 0 || entry.End < entry.Begin || entry.End > dataLength)
                throw new EppoException($"{source}: tensor '{name}' points outside the file (bytes {entry.Begin}..{entry.End} of {dataLength})");
            RequireSize(source, name, entry);
        }
        return new SafetensorsFile(source, bytes, 8 + headerLength, entries, metadata);
    }

    /// <summary>
    /// Reads the tensor called <paramref name="name"/> into <paramref name="destination"/> (any dtype, any device) of
    /// its shape, or of its transposed shape when <paramref name="transpose"/> (2-D only). A stored dtype equal to the
    /// destination's, no transpose, a contiguous CPU destination: one copy from the source into its memory.
    /// </summary>
    public void ReadInto(string name, Tensor destination, bool transpose = false)
    {
        var entry = Entry(name);
        var stored = transpose && entry.Shape.Length == 2 ? [entry.Shape[1], entry.Shape[0]] : entry.Shape;
        if (!stored.SequenceEqual(destination.shape))
            throw new ShapeMismatchException(Source, name, entry.Shape, destination.shape);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var type = TypeOf(name, entry);
        Tensor? converted = null;
        if (type == destination.dtype && !transpose && destination.device_type == DeviceType.CPU && destination.is_contiguous())
            Fill(destination, entry);
        else
        {
            converted = ReadStored(entry, type);
            destination.copy_(transpose ? converted.t() : converted);
        }
        RequireFinite(name, destination, converted);
    }

    /// <summary>The tensor called <paramref name="name"/> as a CPU tensor of its stored dtype and shape.</summary>
    public Tensor Read(string name)
    {
        var entry = Entry(name);
        var value = ReadStored(entry, TypeOf(name, entry));
        RequireFinite(name, value, null);
        return value;
    }

    /// <summary>The tensor called <paramref name="name"/> as a float32 CPU tensor of its stored shape.</summary>
    public Tensor ReadFloat32(string name)
    {
        using var scope = NewDisposeScope();
        return Read(name).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>A stored shape that does not fit the destination; callers that know the model reword it.</summary>
    public sealed class ShapeMismatchException(string source, string name, long[] stored, long[] expected)
        : EppoException($"{source}: tensor '{name}' has shape [{string.Join(", ", stored)}], the destination [{string.Join(", ", expected)}]")
    {
        public long[] Stored { get; } = stored;
    }

    SafetensorsEntry Entry(string name) =>
        entries.TryGetValue(name, out var entry) ? entry : throw new EppoException($"{Source}: no tensor '{name}'");

    ScalarType TypeOf(string name, SafetensorsEntry entry) => SafetensorsDtype.TypeOf(entry.Dtype)
        ?? throw new EppoException($"{Source}: tensor '{name}' is stored as {entry.Dtype}; EppoOrleans reads {string.Join(", ", SafetensorsDtype.Names)}");

    Tensor ReadStored(SafetensorsEntry entry, ScalarType type)
    {
        var value = empty(entry.Shape, type, device: CPU);
        Fill(value, entry);
        return value;
    }

    /// <summary>The entry's bytes into the memory of a contiguous CPU tensor of its dtype and size.</summary>
    void Fill(Tensor destination, SafetensorsEntry entry)
    {
        using var scope = NewDisposeScope();
        var flat = destination.view(-1);
        var count = flat.numel();
        var width = SafetensorsDtype.SizeOf(destination.dtype);
        var perChunk = ReadChunk / width;
        for (var start = 0L; start < count; start += perChunk)
        {
            var chunk = flat.narrow(0, start, Math.Min(perChunk, count - start));
            bytes.Read(dataStart + entry.Begin + start * width, chunk.bytes, Source, entry);  // .bytes: a view of the tensor's memory
        }
    }

    /// <summary>One isfinite().all() on the tensor's device; the culprit is only worked out when it fails.</summary>
    void RequireFinite(string name, Tensor value, Tensor? stored)
    {
        // The meta device holds shapes, no numbers to check.
        if (!SafetensorsDtype.IsFloating(value.dtype) || value.numel() == 0 || value.device_type == DeviceType.META) return;
        using var scope = NewDisposeScope();
        if (value.isfinite().all().item<bool>()) return;
        if (stored is not null && SafetensorsDtype.IsFloating(stored.dtype) && stored.isfinite().all().item<bool>())
            throw new EppoException($"{Source}: tensor '{name}' holds values beyond the range of {value.dtype} (stored as {entries[name].Dtype})");
        throw new EppoException($"{Source}: tensor '{name}' holds {(value.isnan().any().item<bool>() ? "NaN" : "Inf")}");
    }

    static readonly Device CPU = new(DeviceType.CPU);

    /// <summary>Random-access reads from where the file's bytes live.</summary>
    abstract class ByteSource
    {
        public abstract long Length { get; }

        /// <summary>Exactly <paramref name="into"/>.Length bytes at <paramref name="offset"/>.</summary>
        public abstract void Read(long offset, Span<byte> into);

        public void Read(long offset, Span<byte> into, string source, SafetensorsEntry entry)
        {
            try
            {
                Read(offset, into);
            }
            catch (EndOfStreamException)
            {
                throw new EppoException($"{source}: ended inside tensor data (bytes {entry.Begin}..{entry.End})");
            }
        }
    }

    sealed class FileBytes(string path, long length) : ByteSource
    {
        public override long Length => length;

        public override void Read(long offset, Span<byte> into)
        {
            using var file = File.OpenHandle(path);
            for (var done = 0; done < into.Length;)
            {
                var read = RandomAccess.Read(file, into[done..], offset + done);
                if (read <= 0) throw new EndOfStreamException();
                done += read;
            }
        }
    }

    sealed class MemoryBytes(ReadOnlyMemory<byte> memory) : ByteSource
    {
        public override long Length => memory.Length;

        public override void Read(long offset, Span<byte> into)
        {
            if (offset + into.Length > memory.Length) throw new EndOfStreamException();
            memory.Span.Slice((int)offset, into.Length).CopyTo(into);
        }
    }

    sealed class ChunkSource(ChunkedBytes chunks) : ByteSource
    {
        public override long Length => chunks.Length;

        public override void Read(long offset, Span<byte> into) => chunks.Read(offset, into);
    }

    sealed class StreamBytes(Stream stream) : ByteSource
    {
        public override long Length => stream.Length;

        public override void Read(long offset, Span<byte> into)
        {
            stream.Position = offset;
            stream.ReadExactly(into);
        }
    }
}
