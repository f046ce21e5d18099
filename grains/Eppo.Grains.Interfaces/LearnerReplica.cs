namespace Eppo.Grains.Interfaces;

/// <summary>
/// One data-parallel learner replica's part in an iteration: replica <see cref="Replica"/> of <see cref="Replicas"/>,
/// meeting the others at the exchange grain <see cref="Exchange"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("eppo.ReplicaSlot")]
public sealed record ReplicaSlot
{
    [Id(0)] public required int Replica { get; init; }
    [Id(1)] public required int Replicas { get; init; }
    [Id(2)] public required string Exchange { get; init; }
}

/// <summary>What a learner replica holds: the iterations its state has learned (−1: none, a fresh activation) and its silo.</summary>
[GenerateSerializer, Immutable, Alias("eppo.ReplicaHeld")]
public sealed record ReplicaHeld
{
    [Id(0)] public required int IterationsDone { get; init; }
    [Id(1)] public required string Host { get; init; }
}
