namespace Eppo.Core.Checkpoints;

/// <summary>manifest.json: written last, so its presence and matching hashes mean the checkpoint is complete.</summary>
public sealed record CheckpointManifest(string Format, DateTimeOffset CreatedUtc, IReadOnlyDictionary<string, CheckpointFile> Files)
{
    public const string CurrentFormat = "eppo-checkpoint/1";
}

/// <summary>One file of a checkpoint: its size and SHA-256 (lower-case hex).</summary>
public sealed record CheckpointFile(long Bytes, string Sha256);
