namespace Eppo.Grains.Interfaces;

/// <summary>
/// A published policy version, described: its safetensors bytes come in <see cref="Chunks"/> pieces of at most
/// <see cref="ChunkBytes"/> (so a real-size policy fits Orleans' message limit), and <see cref="Sha256"/> lets the
/// generator refuse a copy assembled from two versions. No chunks when the caller already has this version.
/// </summary>
[GenerateSerializer, Immutable, Alias("eppo.PolicyWeights")]
public sealed record PolicyWeights
{
    [Id(0)] public required int Version { get; init; }
    [Id(2)] public long TotalBytes { get; init; }
    [Id(3)] public int ChunkBytes { get; init; }
    [Id(4)] public int Chunks { get; init; }
    [Id(5)] public byte[] Sha256 { get; init; } = [];
}
