namespace Eppo.Core.Tests.Iteration;

/// <summary>
/// One data root for a test class's prepared models: specs that differ only in RL settings share their SFT policy and
/// reward models there (the production cache, keyed by what shapes each model), so each is trained once per class.
/// </summary>
public sealed class ModelCacheRoot : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("eppo-models-").FullName;

    /// <summary>A fresh directory under the root for one test's own files (a checkpoint, say).</summary>
    public string Scratch() => Directory.CreateDirectory(System.IO.Path.Combine(Path, "scratch-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
