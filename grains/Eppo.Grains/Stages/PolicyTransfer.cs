using Eppo.Core.Checkpoints;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>
/// A policy version's bytes, fetched chunk by chunk from the learner into chunks (never one array, so no size cap but
/// Orleans' per-message limit on a chunk) and checked against its SHA-256, so a generator never loads a copy assembled
/// from two versions (the learner also refuses chunks of a version it no longer publishes). A few chunks are in flight
/// at once, so the learner's copy, the wire and this side's copy and hash overlap.
/// </summary>
public static class PolicyTransfer
{
    /// <summary>Chunk requests in flight (4 × 16 MiB by default: a bounded amount of memory in transit).</summary>
    public const int Window = 4;

    public static Task<ChunkedBytes> FetchAsync(ILearnerGrain learner, PolicyWeights policy) =>
        FetchAsync(policy, index => learner.GetPolicyChunkAsync(policy.Version, index), $"policy version {policy.Version}");

    /// <summary>Any chunked bytes described as <paramref name="described"/> (a replica's state travels so too), fetched by <paramref name="chunk"/>.</summary>
    public static async Task<ChunkedBytes> FetchAsync(PolicyWeights described, Func<int, Task<byte[]>> chunk, string what)
    {
        var bytes = new ChunkedBytes(described.ChunkBytes);
        var inFlight = new Queue<Task<byte[]>>();
        var requested = 0;
        for (var index = 0; index < described.Chunks; index++)
        {
            while (requested < described.Chunks && inFlight.Count < Window)
                inFlight.Enqueue(chunk(requested++));
            var piece = await inFlight.Dequeue();
            if (bytes.Length + piece.Length > described.TotalBytes || (index < described.Chunks - 1 && piece.Length != described.ChunkBytes))
                throw new StageStateLostException($"{what}: chunk {index} has {piece.Length} bytes, expected {described.ChunkBytes}");
            bytes.Write(piece);
        }
        bytes.Flush();
        if (bytes.Length != described.TotalBytes || !bytes.Sha256.AsSpan().SequenceEqual(described.Sha256))
            throw new StageStateLostException($"{what}: the assembled bytes do not match their SHA-256");
        return bytes;
    }
}
