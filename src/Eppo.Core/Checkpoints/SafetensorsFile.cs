using System.Text.Json;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// One .safetensors file read tensor by tensor (8-byte little-endian header length, a JSON header
/// {name: {dtype, shape, data_offsets}}, then the raw bytes), so that a checkpoint loads without a second copy of its
/// weights in memory. F32, F16 and BF16 are read, always as float32 tensors; anything else is refused by name.
/// </summary>
public sealed class SafetensorsFile
{
    public sealed record Entry(string Dtype, long[] Shape, long Begin, long End);

    readonly string path;
    readonly long dataStart;
    readonly Dictionary<string, Entry> entries;

    SafetensorsFile(string path, long dataStart, Dictionary<string, Entry> entries) =>
        (this.path, this.dataStart, this.entries) = (path, dataStart, entries);

    public IReadOnlyDictionary<string, Entry> Entries => entries;

    public string Path => path;

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new EppoException($"{path}: file not found");
        using var file = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (file.Read(lengthBytes) != 8) throw new EppoException($"{path}: not a safetensors file (shorter than its header length)");
        var headerLength = BitConverter.ToInt64(lengthBytes);
        if (headerLength <= 0 || headerLength > 100_000_000 || 8 + headerLength > file.Length)
            throw new EppoException($"{path}: not a safetensors file (header length {headerLength})");
        var header = new byte[headerLength];
        file.ReadExactly(header);
        var entries = new Dictionary<string, Entry>();
        try
        {
            using var json = JsonDocument.Parse(header);
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__") continue;
                var dtype = property.Value.GetProperty("dtype").GetString() ?? "";
                var shape = property.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                entries[property.Name] = new Entry(dtype, shape, offsets[0], offsets[1]);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new EppoException($"{path}: the safetensors header is malformed ({e.Message})");
        }
        var dataLength = file.Length - 8 - headerLength;
        foreach (var (name, entry) in entries)
            if (entry.Begin < 0 || entry.End < entry.Begin || entry.End > dataLength)
                throw new EppoException($"{path}: tensor '{name}' points outside the file (bytes {entry.Begin}..{entry.End} of {dataLength})");
        return new SafetensorsFile(path, 8 + headerLength, entries);
    }

    /// <summary>
    /// Reads the tensor called <paramref name="name"/> into <paramref name="destination"/> (a float32 CPU tensor
    /// of its shape, or of its transposed shape when <paramref name="transpose"/>). An F32 tensor that needs no
    /// transpose goes from the file straight into the destination's memory: one copy, no managed buffer.
    /// </summary>
    public void ReadInto(string name, Tensor destination, bool transpose = false)
    {
        var entry = entries[name];
        var stored = transpose && entry.Shape.Length == 2 ? [entry.Shape[1], entry.Shape[0]] : entry.Shape;
        if (!stored.SequenceEqual(destination.shape))
            throw new ShapeMismatchException(entry.Shape);
        if (entry.Dtype == "F32" && !transpose && destination.dtype == ScalarType.Float32 && destination.device_type == DeviceType.CPU
            && destination.is_contiguous() && entry.End - entry.Begin == destination.numel() * 4)
        {
            ReadRaw(destination, entry);
            return;
        }
        using var scope = NewDisposeScope();
        var value = ReadFloat32(name);
        using (no_grad()) destination.copy_(transpose ? value.t() : value);
    }

    /// <summary>A stored shape that does not fit the destination (the caller names the tensor and the model).</summary>
    public sealed class ShapeMismatchException(long[] stored) : Exception("shape mismatch")
    {
        public long[] Stored { get; } = stored;
    }

    void ReadRaw(Tensor destination, Entry entry)
    {
        // Tensor.bytes of a contiguous CPU tensor is a view of its memory (not a copy).
        var memory = destination.bytes;
        using var file = File.OpenHandle(path);
        for (var done = 0; done < memory.Length;)
        {
            var read = RandomAccess.Read(file, memory[done..], dataStart + entry.Begin + done);
            if (read <= 0) throw new EppoException($"{path}: ended inside tensor data (bytes {entry.Begin}..{entry.End})");
            done += read;
        }
    }

    /// <summary>The tensor called <paramref name="name"/> as a float32 CPU tensor of its stored shape.</summary>
    public Tensor ReadFloat32(string name)
    {
        var entry = entries[name];
        var count = entry.Shape.Aggregate(1L, (a, b) => a * b);
        var width = entry.Dtype switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            _ => throw new EppoException($"{path}: tensor '{name}' is stored as {entry.Dtype}; EppoOrleans reads F32, F16 and BF16"),
        };
        if (entry.End - entry.Begin != count * width)
            throw new EppoException($"{path}: tensor '{name}' has {entry.End - entry.Begin} bytes for shape [{string.Join(", ", entry.Shape)}] of {entry.Dtype}");
        var bytes = new byte[entry.End - entry.Begin];
        using (var file = File.OpenHandle(path))
            RandomAccess.Read(file, bytes, dataStart + entry.Begin);
        var values = new float[count];
        switch (entry.Dtype)
        {
            case "F32":
                Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
                break;
            case "F16":
                for (var i = 0; i < values.Length; i++) values[i] = (float)BitConverter.UInt16BitsToHalf(BitConverter.ToUInt16(bytes, 2 * i));
                break;
            default: // BF16: the upper half of a float32
                for (var i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(bytes, 2 * i) << 16);
                break;
        }
        return tensor(values, entry.Shape);
    }
}
