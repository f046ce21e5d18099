using Eppo.Core;

namespace Eppo.Grains.Artifacts;

/// <summary>The local profile: an artifact is the directory it was written to; nothing is copied.</summary>
public sealed class LocalArtifactStore : IArtifactStore
{
    public bool IsRemote => false;

    public Task<string> PublishAsync(string localDirectory, string name, CancellationToken cancellation = default) => Task.FromResult(localDirectory);

    public Task<string?> FindAsync(string name, CancellationToken cancellation = default) => Task.FromResult<string?>(null);

    public Task<string> LocalPathAsync(string location, CancellationToken cancellation = default) =>
        BlobArtifactStore.IsBlobLocation(location)
            ? throw new EppoException($"artifact '{location}' is in blob storage, but this silo runs the local profile (start it with --cluster azure)")
            : Task.FromResult(location);

    public Task CopyToAsync(string location, string directory, CancellationToken cancellation = default) =>
        throw new NotSupportedException("the local artifact store does not copy artifacts");
}
