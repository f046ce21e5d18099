namespace Eppo.Core.Checkpoints;

/// <summary>
/// A module's parameters and buffers as a safetensors file (<see cref="SafetensorsWriter"/>, <see cref="SafetensorsFile"/>):
/// in memory, how grains ship policy weights between silos, and on disk in checkpoints. Tensors are copied to the CPU
/// one at a time for writing, so a module on any device can be saved; loading reads into the module's own tensors
/// (their device and dtype stay), and the key set must match exactly.
/// </summary>
public static class ModelWeights
{
    /// <summary>
    /// The safetensors bytes of the module's state, written straight into one array of the exact size (a 124M
    /// policy is 500 MB: a growing stream and its final copy cost seconds at every policy version).
    /// </summary>
    public static byte[] ToBytes(nn.Module model) => SafetensorsWriter.Plan(model.state_dict()).ToArray();

    /// <summary>The safetensors bytes of the named tensors, in the order given.</summary>
    public static byte[] ToBytes(IEnumerable<(string Name, Tensor Value)> state) => SafetensorsWriter.Plan(state).ToArray();

    public static void Load(nn.Module model, byte[] weights, string source = "weights bytes") =>
        Load(model, SafetensorsFile.FromBytes(weights, source));

    internal static void Write(nn.Module model, Stream destination) => SafetensorsWriter.Plan(model.state_dict()).WriteTo(destination);

    /// <summary>Every tensor of the module from <paramref name="file"/>, after the names and shapes were checked.</summary>
    public static void Load(nn.Module model, SafetensorsFile file)
    {
        var state = model.state_dict();
        var missing = state.Keys.Except(file.Entries.Keys).ToList();
        var unexpected = file.Entries.Keys.Except(state.Keys).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new EppoException($"{file.Source} does not fit the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        foreach (var (key, target) in state)
        {
            var shape = file.Entries[key].Shape;
            if (!shape.SequenceEqual(target.shape))
                throw new EppoException($"{file.Source}: tensor '{key}' has shape [{string.Join(", ", shape)}], the model expects [{string.Join(", ", target.shape)}]");
        }
        foreach (var (key, target) in state) file.ReadInto(key, target);
    }
}
