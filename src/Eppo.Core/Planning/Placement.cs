namespace Eppo.Core.Planning;

/// <summary>One device: the grains placed on it and what they need together.</summary>
public sealed record DeviceLoad(int Device, IReadOnlyList<string> Grains, long Resident, long Shared, long Activations, long Overhead, long Capacity)
{
    public long Total => Resident + Shared + Activations + Overhead;

    public bool Fits => Total <= Capacity;
}

/// <summary>
/// Grains over N devices, one silo per device: the learner on a device of its own (with one device, everything on it),
/// generators, scorers and the energy reference dealt round the others in turn. On a device, each grain's resident
/// bytes add up, a frozen SFT model shared through FrozenModels counts once, and activations are the largest single
/// grain's (a silo runs one tensor job at a time on its one compute thread, the default), plus the process overhead.
/// </summary>
public sealed record Placement(int Devices, long DeviceBytes, long OverheadBytes, IReadOnlyList<DeviceLoad> Loads)
{
    public bool Fits => Loads.All(l => l.Fits);

    public DeviceLoad Largest => Loads.MaxBy(l => l.Total)!;

    /// <summary>One line: whether it fits, and the device that decides it.</summary>
    public string Summary
    {
        get
        {
            var worst = Largest;
            var where = $"device {worst.Device} ({string.Join(", ", worst.Grains)}) needs {ByteSize.Format(worst.Total)} of {ByteSize.Format(DeviceBytes)}";
            return Fits ? $"fits on {Devices} × {ByteSize.Format(DeviceBytes)}: the fullest, {where}"
                : $"does not fit on {Devices} × {ByteSize.Format(DeviceBytes)}: {where}";
        }
    }

    public static Placement Of(IReadOnlyList<GrainMemory> kinds, int devices, long deviceBytes, long overheadBytes)
    {
        if (devices < 1) throw new EppoException($"--devices: must be at least 1, got {devices}");
        var onDevice = Enumerable.Range(0, devices).Select(_ => new List<GrainMemory>()).ToArray();
        var next = 0;
        foreach (var kind in kinds)
            for (var i = 0; i < kind.Count; i++)
            {
                if (devices == 1) onDevice[0].Add(kind);
                else if (kind.Kind == GrainMemory.Learner) onDevice[0].Add(kind);
                else onDevice[1 + next++ % (devices - 1)].Add(kind);
            }
        var loads = onDevice.Select((grains, device) => new DeviceLoad(
            device,
            [.. grains.GroupBy(g => g.Kind).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}")],
            grains.Sum(g => g.Weights + g.Gradients + g.OptimizerState),
            grains.Where(g => g.SharedModel is not null).GroupBy(g => g.SharedModel).Sum(g => g.First().SharedWeights),
            grains.Count == 0 ? 0 : grains.Max(g => g.Activations),
            grains.Count == 0 ? 0 : overheadBytes,
            deviceBytes)).ToList();
        return new Placement(devices, deviceBytes, overheadBytes, loads);
    }
}
