namespace Eppo.Grains.Interfaces;

/// <summary>A policy version; <see cref="Weights"/> (safetensors bytes) is null when the caller already has it.</summary>
[GenerateSerializer, Immutable, Alias("eppo.PolicyWeights")]
public sealed record PolicyWeights
{
    [Id(0)] public required int Version { get; init; }
    [Id(1)] public byte[]? Weights { get; init; }
}
