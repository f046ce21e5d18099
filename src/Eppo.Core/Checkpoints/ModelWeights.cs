using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp.PyBridge;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// A module's parameters and buffers as safetensors bytes in memory: how grains ship policy weights between silos.
/// Tensors are copied to the CPU first, so a module on any device can be saved; loading copies into the module's
/// own tensors (its device and dtype stay), and the key set must match exactly.
/// </summary>
public static class ModelWeights
{
    static readonly Dictionary<ScalarType, string> Dtypes = new()
    {
        [ScalarType.Float32] = "F32", [ScalarType.Float16] = "F16", [ScalarType.BFloat16] = "BF16", [ScalarType.Float64] = "F64",
        [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32", [ScalarType.Int8] = "I8", [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
    };

    /// <summary>
    /// The safetensors bytes of the module's state, written straight into one array of the exact size (a 124M
    /// policy is 500 MB: a growing stream and its final copy cost seconds at every policy version).
    /// </summary>
    public static byte[] ToBytes(nn.Module model) => ToBytes(model.state_dict().Select(kv => (kv.Key, kv.Value)));

    /// <summary>The safetensors bytes of the named tensors, in the order given.</summary>
    public static byte[] ToBytes(IEnumerable<(string Name, Tensor Value)> state)
    {
        using var scope = NewDisposeScope();
        var tensors = state.Select(kv => (kv.Name, Value: kv.Value.detach().cpu().contiguous())).ToList();
        var header = new Dictionary<string, object>();
        long offset = 0;
        foreach (var (name, value) in tensors)
        {
            var length = value.numel() * value.ElementSize;
            header[name] = new
            {
                dtype = Dtypes.TryGetValue(value.dtype, out var dtype) ? dtype : throw new EppoException($"weights: tensor '{name}' has dtype {value.dtype}, which safetensors bytes here do not carry"),
                shape = value.shape,
                data_offsets = new[] { offset, offset + length },
            };
            offset += length;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        var headerLength = (json.Length + 7) / 8 * 8;  // padded with spaces, as the format allows, so the data is 8-byte aligned
        var total = 8 + headerLength + offset;
        if (total > Array.MaxLength)
            throw new EppoException($"weights: {total / (1L << 20)} MiB of model state exceed the {Array.MaxLength / (1L << 20)} MiB one in-memory copy holds (about 500M fp32 parameters)");
        var bytes = GC.AllocateUninitializedArray<byte>((int)total);
        BinaryPrimitives.WriteInt64LittleEndian(bytes, headerLength);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, headerLength - json.Length).Fill((byte)' ');
        var position = 8 + headerLength;
        foreach (var (_, value) in tensors)
        {
            var data = value.bytes;  // a view of the CPU tensor's memory
            data.CopyTo(bytes.AsSpan(position));
            position += data.Length;
        }
        return bytes;
    }

    public static void Load(nn.Module model, byte[] weights, string source = "weights bytes")
    {
        using var buffer = new MemoryStream(weights, writable: false);
        Load(model, buffer, source);
    }

    internal static void Write(IDictionary<string, Tensor> stateDict, Stream destination)
    {
        using var scope = NewDisposeScope();
        var onCpu = stateDict.ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        Safetensors.SaveStateDict(destination, onCpu, leaveOpen: true);
    }

    internal static Dictionary<string, Tensor> Read(Stream source, string name)
    {
        try
        {
            return Safetensors.LoadStateDict(source, leaveOpen: true);
        }
        catch (Exception e) when (e is not EppoException)
        {
            throw new EppoException($"{name} is not valid safetensors data: {e.Message}");
        }
    }

    internal static void Load(nn.Module model, Stream source, string name)
    {
        using var scope = NewDisposeScope();
        var tensors = Read(source, name);
        var expected = model.state_dict().Keys.ToHashSet();
        var missing = expected.Except(tensors.Keys).ToList();
        var unexpected = tensors.Keys.Except(expected).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new EppoException($"{name} does not fit the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        foreach (var (key, target) in model.state_dict())
        {
            var loaded = tensors[key];
            if (!loaded.shape.SequenceEqual(target.shape))
                throw new EppoException($"{name}: tensor '{key}' has shape [{string.Join(", ", loaded.shape)}], the model expects [{string.Join(", ", target.shape)}]");
        }
        model.load_state_dict(tensors, strict: true);
    }
}
