using System.Security.Cryptography;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>
/// A policy version's bytes, fetched chunk by chunk from the learner and checked against its SHA-256, so a generator
/// never loads a copy assembled from two versions (the learner also refuses chunks of a version it no longer publishes).
/// A few chunks are in flight at once, so the learner's copy, the wire and this side's copy and hash overlap.
/// </summary>
public static class PolicyTransfer
{
    /// <summary>Chunk requests in flight (4 × 16 MiB by default: a bounded amount of memory in transit).</summary>
    public const int Window = 4;

    public static async Task<byte[]> FetchAsync(ILearnerGrain learner, PolicyWeights policy)
    {
        var bytes = new byte[policy.TotalBytes];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var inFlight = new Queue<Task<byte[]>>();
        var requested = 0;
        for (var index = 0; index < policy.Chunks; index++)
        {
            while (requested < policy.Chunks && inFlight.Count < Window)
                inFlight.Enqueue(learner.GetPolicyChunkAsync(policy.Version, requested++));
            var chunk = await inFlight.Dequeue();
            var offset = (long)index * policy.ChunkBytes;
            if (offset + chunk.Length > bytes.LongLength || (index < policy.Chunks - 1 && chunk.Length != policy.ChunkBytes))
                throw new StageStateLostException($"policy version {policy.Version}: chunk {index} has {chunk.Length} bytes, expected {policy.ChunkBytes}");
            chunk.CopyTo(bytes, offset);
            hash.AppendData(chunk);
        }
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(policy.Sha256))
            throw new StageStateLostException($"policy version {policy.Version}: the assembled weights do not match their SHA-256");
        return bytes;
    }
}
