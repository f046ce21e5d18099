using TorchSharp.PyBridge;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// A module's parameters and buffers as safetensors bytes in memory: how grains ship policy weights between silos.
/// Tensors are copied to the CPU first, so a module on any device can be saved; loading copies into the module's
/// own tensors (its device and dtype stay), and the key set must match exactly.
/// </summary>
public static class ModelWeights
{
    public static byte[] ToBytes(nn.Module model)
    {
        using var buffer = new MemoryStream();
        Write(model.state_dict(), buffer);
        return buffer.ToArray();
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
