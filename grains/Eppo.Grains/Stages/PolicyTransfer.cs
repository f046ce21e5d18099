using System.Security.Cryptography;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>
/// A policy version's bytes, fetched chunk by chunk from the learner and checked against its SHA-256, so a generator
/// never loads a copy assembled from two versions (the learner also refuses chunks of a version it no longer publishes).
/// </summary>
public static class PolicyTransfer
{
    public static async Task<byte[]> FetchAsync(ILearnerGrain learner, PolicyWeights policy)
    {
        var bytes = new byte[policy.TotalBytes];
        for (var index = 0; index < policy.Chunks; index++)
        {
            var chunk = await learner.GetPolicyChunkAsync(policy.Version, index);
            var offset = (long)index * policy.ChunkBytes;
            if (offset + chunk.Length > bytes.LongLength || (index < policy.Chunks - 1 && chunk.Length != policy.ChunkBytes))
                throw new StageStateLostException($"policy version {policy.Version}: chunk {index} has {chunk.Length} bytes, expected {policy.ChunkBytes}");
            chunk.CopyTo(bytes, offset);
        }
        if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(policy.Sha256))
            throw new StageStateLostException($"policy version {policy.Version}: the assembled weights do not match their SHA-256");
        return bytes;
    }
}
