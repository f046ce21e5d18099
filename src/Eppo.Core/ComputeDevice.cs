namespace Eppo.Core;

/// <summary>
/// The device a silo's tensor work runs on: "cpu" or "cuda[:N]". Applied once per process as libtorch's default
/// device, so models built and loaded by the stage grains and every tensor created from data land on it; results
/// are read back through <c>.cpu()</c>. The CPU build (TorchSharp-cpu, what this repository tests) refuses cuda in
/// one line; the CUDA build is the TorchBackend=cuda switch (docs/operations.md, GPU).
/// </summary>
public static class ComputeDevice
{
    /// <summary>Checks the name and that this build and machine have the device; returns its canonical form.</summary>
    public static string Validate(string name, string field = "--device")
    {
        var text = name.Trim().ToLowerInvariant();
        if (text == "cpu") return text;
        var cuda = System.Text.RegularExpressions.Regex.Match(text, @"^cuda(?::(\d+))?$");
        if (!cuda.Success) throw new EppoException($"{field}: '{name}' is not a device (expected cpu, cuda or cuda:N)");
        var index = cuda.Groups[1].Success ? int.Parse(cuda.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var available = ComputeThreads.Run(() => torch.cuda.is_available() ? torch.cuda.device_count() : 0);
        if (available == 0)
            throw new EppoException($"{field}: '{name}': this build's libtorch sees no CUDA device (the default build is CPU-only: build with -p:TorchBackend=cuda on a machine with the CUDA package and a GPU)");
        if (index >= available) throw new EppoException($"{field}: '{name}': this machine has {available} CUDA device(s)");
        return $"cuda:{index}";
    }

    /// <summary>Makes the device libtorch's default for this process (call once, at silo start).</summary>
    public static void Use(string name)
    {
        var device = Validate(name);
        ComputeThreads.Run(() => torch.set_default_device(new torch.Device(device)));
    }
}
