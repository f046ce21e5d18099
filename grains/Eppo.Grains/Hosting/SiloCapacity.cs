namespace Eppo.Grains.Hosting;

/// <summary>What a silo advertises to the cluster in its Orleans silo metadata.</summary>
public static class SiloCapacity
{
    public const string ModelSlotsKey = "eppo.model-slots";
    public const string DeviceKey = "eppo.device";

    public static int ModelSlots(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(ModelSlotsKey, out var value) && int.TryParse(value, out var slots) ? slots : 0;
}
