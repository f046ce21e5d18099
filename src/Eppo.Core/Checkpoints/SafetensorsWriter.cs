using System.Buffers.Binary;
using System.Text.Json;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// The one safetensors writer. <see cref="Plan(IEnumerable{ValueTuple{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>
/// fixes the header (names, dtypes, shapes, offsets, so <see cref="TotalBytes"/> is known before a byte is written);
/// the tensors' bytes are taken when written, one tensor at a time, each copied to the CPU just for its write, so a
/// model is never held whole in a managed buffer. The file can go to a stream (<see cref="WriteTo"/>), into one
/// array (<see cref="ToArray"/>), or out as pieces (<see cref="Segments"/>, <see cref="TensorBytes"/>) for a caller
/// that ships it in chunks.
/// The plan holds the caller's tensors, not copies: they must stay alive and unchanged until writing is done.
/// Layout: 8-byte little-endian header length, the JSON header (padded with spaces to a multiple of 8, so every
/// tensor's data is 8-byte aligned), then each tensor's little-endian bytes in plan order, with no gaps.
/// </summary>
public sealed class SafetensorsWriter
{
    /// <summary>The most bytes copied out of one tensor at a time (Span lengths are int; tensors may be larger).</summary>
    const int CopyChunk = 64 << 20;

    readonly (string Name, Tensor Value, SafetensorsEntry Entry)[] tensors;
    readonly Dictionary<string, SafetensorsEntry> entries;
    readonly byte[] header;

    SafetensorsWriter((string, Tensor, SafetensorsEntry)[] tensors, byte[] header)
    {
        this.tensors = tensors;
        this.header = header;
        entries = tensors.ToDictionary(t => t.Item1, t => t.Item3);
        TotalBytes = header.Length + (tensors.Length == 0 ? 0 : tensors[^1].Item3.End);
    }

    /// <summary>Plans a file of <paramref name="tensors"/> in the given order, with an optional <c>__metadata__</c> string map.</summary>
    public static SafetensorsWriter Plan(IEnumerable<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var planned = new List<(string, Tensor, SafetensorsEntry)>();
        var names = new HashSet<string>();
        long offset = 0;
        foreach (var (name, value) in tensors)
        {
            if (name == SafetensorsFile.MetadataKey) throw new EppoException($"safetensors: '{name}' is reserved for the metadata map, not a tensor name");
            if (!names.Add(name)) throw new EppoException($"safetensors: tensor '{name}' is listed twice");
            var dtype = SafetensorsDtype.NameOf(value.dtype)
                ?? throw new EppoException($"safetensors: tensor '{name}' has dtype {value.dtype}, which is not one of {string.Join(", ", SafetensorsDtype.Names)}");
            var entry = new SafetensorsEntry(dtype, value.shape, offset, offset + value.numel() * SafetensorsDtype.SizeOf(value.dtype));
            planned.Add((name, value, entry));
            offset = entry.End;
        }
        return new SafetensorsWriter([.. planned], Header(planned.Select(p => (p.Item1, p.Item3)), metadata));
    }

    /// <summary>
    /// The size of the file <see cref="Plan(IEnumerable{ValueTuple{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>
    /// would write for tensors of these names, dtypes and shapes, in this order, without any tensor: what a plan counts.
    /// </summary>
    public static long FileBytes(IEnumerable<(string Name, ScalarType Dtype, long[] Shape)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var entries = new List<(string, SafetensorsEntry)>();
        long offset = 0;
        foreach (var (name, dtype, shape) in tensors)
        {
            var entry = new SafetensorsEntry(SafetensorsDtype.NameOf(dtype) ?? throw new EppoException($"safetensors: tensor '{name}' has dtype {dtype}"),
                shape, offset, offset + shape.Aggregate(1L, (a, b) => a * b) * SafetensorsDtype.SizeOf(dtype));
            entries.Add((name, entry));
            offset = entry.End;
        }
        return Header(entries, metadata).Length + offset;
    }

    /// <summary>Plans a file of a state dictionary (e.g. <c>module.state_dict()</c>), in its order.</summary>
    public static SafetensorsWriter Plan(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Plan(tensors.Select(kv => (kv.Key, kv.Value)), metadata);

    /// <summary>The size of the whole file in bytes.</summary>
    public long TotalBytes { get; }

    /// <summary>The size of the header (length prefix, JSON and padding); the first tensor's data starts here.</summary>
    public int HeaderBytes => header.Length;

    /// <summary>The tensor names in file order.</summary>
    public IReadOnlyList<string> Names => tensors.Select(t => t.Name).ToArray();

    /// <summary>Each tensor as the header lists it (offsets from the start of the data, i.e. from <see cref="HeaderBytes"/>).</summary>
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries => entries;

    /// <summary>The header as the file begins: 8-byte length, JSON, padding.</summary>
    public byte[] Header() => (byte[])header.Clone();

    public void WriteTo(Stream destination)
    {
        destination.Write(header);
        foreach (var (name, value, entry) in tensors)
            CopyOut(name, value, entry, bytes => destination.Write(bytes));
    }

    /// <summary>
    /// The file as pieces of at most <paramref name="maxBytes"/> each, in order: the header, then each tensor's bytes
    /// (a tensor larger than <paramref name="maxBytes"/> comes in several pieces; a piece never spans two tensors).
    /// Each tensor is copied out when its first piece is reached, so only one tensor's bytes are held at a time.
    /// </summary>
    public IEnumerable<SafetensorsSegment> Segments(int maxBytes = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        return Enumerate(Math.Min(maxBytes, Array.MaxLength));
    }

    IEnumerable<SafetensorsSegment> Enumerate(int maxBytes)
    {
        for (var start = 0; start < header.Length; start += maxBytes)
            yield return new SafetensorsSegment(null, start, header.AsSpan(start, Math.Min(maxBytes, header.Length - start)).ToArray());
        foreach (var (name, value, entry) in tensors)
            // Pieces are filled before any is yielded: no dispose scope stays open while the caller runs.
            foreach (var piece in Pieces(name, value, entry, maxBytes))
                yield return piece;
    }

    List<SafetensorsSegment> Pieces(string name, Tensor value, SafetensorsEntry entry, int maxBytes)
    {
        var pieces = new List<SafetensorsSegment>();
        var fileStart = header.Length + entry.Begin;
        for (var done = 0L; done < entry.Bytes; done += maxBytes)
            pieces.Add(new SafetensorsSegment(name, fileStart + done, GC.AllocateUninitializedArray<byte>((int)Math.Min(maxBytes, entry.Bytes - done))));
        var (piece, at) = (0, 0);
        CopyOut(name, value, entry, bytes =>
        {
            while (bytes.Length > 0)
            {
                var target = pieces[piece].Bytes;
                var n = Math.Min(bytes.Length, target.Length - at);
                bytes[..n].CopyTo(target.AsSpan(at));
                bytes = bytes[n..];
                at += n;
                if (at == target.Length) (piece, at) = (piece + 1, 0);
            }
        });
        return pieces;
    }

    /// <summary>One tensor's bytes as stored in the file.</summary>
    public byte[] TensorBytes(string name)
    {
        var index = Array.FindIndex(tensors, t => t.Name == name);
        if (index < 0) throw new EppoException($"safetensors: no tensor '{name}' in this file");
        var (_, value, entry) = tensors[index];
        if (entry.Bytes > Array.MaxLength) throw new EppoException($"safetensors: tensor '{name}' has {entry.Bytes} bytes, more than one array holds; use Segments");
        var bytes = GC.AllocateUninitializedArray<byte>((int)entry.Bytes);
        var at = 0;
        CopyOut(name, value, entry, chunk =>
        {
            chunk.CopyTo(bytes.AsSpan(at));
            at += chunk.Length;
        });
        return bytes;
    }

    /// <summary>The whole file in one array of its exact size (no growing buffer, no final copy).</summary>
    public byte[] ToArray()
    {
        if (TotalBytes > Array.MaxLength)
            throw new EppoException($"safetensors: {TotalBytes / (1L << 20)} MiB exceed the {Array.MaxLength / (1L << 20)} MiB one in-memory copy holds (about 500M fp32 parameters); write to a stream or use Segments");
        var bytes = GC.AllocateUninitializedArray<byte>((int)TotalBytes);
        using var stream = new MemoryStream(bytes, writable: true);
        WriteTo(stream);
        return bytes;
    }

    delegate void ByteSink(ReadOnlySpan<byte> bytes);

    /// <summary>Hands the tensor's bytes to <paramref name="sink"/> in order, in chunks, from a CPU copy made just for this.</summary>
    static void CopyOut(string name, Tensor value, SafetensorsEntry entry, ByteSink sink)
    {
        using var scope = NewDisposeScope();
        var cpu = value.detach();
        if (cpu.device_type != DeviceType.CPU) cpu = cpu.cpu();
        cpu = cpu.contiguous();
        if (SafetensorsDtype.NameOf(cpu.dtype) != entry.Dtype || !cpu.shape.SequenceEqual(entry.Shape))
            throw new EppoException($"safetensors: tensor '{name}' changed between planning and writing ([{string.Join(", ", entry.Shape)}] {entry.Dtype} planned, [{string.Join(", ", cpu.shape)}] {cpu.dtype} now)");
        var flat = cpu.reshape(-1);
        var count = flat.numel();
        var perChunk = CopyChunk / SafetensorsDtype.SizeOf(cpu.dtype);
        for (var start = 0L; start < count; start += perChunk)
            sink(flat.narrow(0, start, Math.Min(perChunk, count - start)).bytes);
    }

    static byte[] Header(IEnumerable<(string Name, SafetensorsEntry Entry)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(SafetensorsFile.MetadataKey);
                foreach (var (key, text) in metadata) writer.WriteString(key, text);
                writer.WriteEndObject();
            }
            foreach (var (name, entry) in tensors)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", entry.Dtype);
                writer.WriteStartArray("shape");
                foreach (var d in entry.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(entry.Begin);
                writer.WriteNumberValue(entry.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        var padded = (json.Length + 7) / 8 * 8;  // spaces, as the format allows, so the data is 8-byte aligned
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteInt64LittleEndian(header, padded);
        json.GetBuffer().AsSpan(0, (int)json.Length).CopyTo(header.AsSpan(8));
        header.AsSpan(8 + (int)json.Length).Fill((byte)' ');
        return header;
    }
}
