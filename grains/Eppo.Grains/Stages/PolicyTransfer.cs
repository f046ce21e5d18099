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

    public static async Task<ChunkedBytes> FetchAsync(ILearnerGrain learner, PolicyWeights policy)
    {
        var bytes = new ChunkedBytes(policy.ChunkBytes);
        var inFlight = new Queue<Task<byte[]>>();
        var requested = 0;
        for (var index = 0; index < policy.Chunks; index++)
        {
            while (requested < policy.Chunks && inFlight.Count < Window)
                inFlight.Enqueue(learner.GetPolicyChunkAsync(policy.Version, requested++));
            var chunk = await inFlight.Dequeue();
            if (bytes.Length + chunk.Length > policy.TotalBytes || (index < policy.Chunks - 1 && chunk.Length != policy.ChunkBytes))
                throw new StageStateLostException($"policy version {policy.Version}: chunk {index} has {chunk.Length} bytes, expected {policy.ChunkBytes}");
            bytes.Write(chunk);
        }
        bytes.Flush();
        if (bytes.Length != policy.TotalBytes || !bytes.Sha256.AsSpan().SequenceEqual(policy.Sha256))
            throw new StageStateLostException($"policy version {policy.Version}: the assembled weights do not match their SHA-256");
        return bytes;
    }
}
