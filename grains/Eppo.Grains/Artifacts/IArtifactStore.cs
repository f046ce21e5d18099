namespace Eppo.Grains.Artifacts;

/// <summary>
/// Where checkpoints and trained models live. A location is an opaque string stored in grain state: a local
/// directory in the local profile, "blob:{name}" in the azure profile. Publishing never changes an existing artifact;
/// the caller swaps its pointer (grain state) only after <see cref="PublishAsync"/> returned, so a crash mid-upload
/// leaves the old pointer and an orphan, never a half-written artifact that is read as good.
/// </summary>
public interface IArtifactStore
{
    /// <summary>Stores the directory under <paramref name="name"/> (unchanged if a complete artifact has that name); returns its location.</summary>
    Task<string> PublishAsync(string localDirectory, string name, CancellationToken cancellation = default);

    /// <summary>The location of a complete artifact named <paramref name="name"/>, or null.</summary>
    Task<string?> FindAsync(string name, CancellationToken cancellation = default);

    /// <summary>A verified local directory holding the artifact at <paramref name="location"/> (downloaded into a cache when remote).</summary>
    Task<string> LocalPathAsync(string location, CancellationToken cancellation = default);

    /// <summary>Verified copy of the artifact at <paramref name="location"/> into <paramref name="directory"/> (which must not exist yet).</summary>
    Task CopyToAsync(string location, string directory, CancellationToken cancellation = default);

    /// <summary>True when artifacts leave this machine: local directories are then scratch space, not the record.</summary>
    bool IsRemote { get; }
}
