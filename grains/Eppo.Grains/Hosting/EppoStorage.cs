namespace Eppo.Grains.Hosting;

public static class EppoStorage
{
    /// <summary>The grain storage provider every Eppo grain persists to (memory locally, Azure Blob in cluster mode).</summary>
    public const string Name = "eppo";
}
