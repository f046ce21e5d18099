using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Checkpoints;
using Eppo.Core.Tasks;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Stages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Eppo.Grains.Artifacts;

/// <summary>
/// The files a run spec names (<see cref="RunSpec.Inputs"/>: a policy checkpoint, datasets, reward checkpoints). At
/// run start each is stored once under its content hash, as the artifact "inputs/{hash}" — local profile: a verified
/// copy in {data root}/inputs/{hash}; azure: blobs — and the run keeps the spec with those locations in place of the
/// client's paths, so no silo needs them. A file is stored as a directory holding it under its own name (its
/// location is the directory's, then "/{name}"). A silo resolves the locations to local paths (downloading each
/// artifact once) when a stage activation first needs the run (<see cref="ResolveAsync"/>).
/// </summary>
public sealed class RunInputs(IArtifactStore artifacts, IOptions<EppoSiloOptions> options, ILogger<RunInputs> logger)
{
    public const string Prefix = "inputs";

    string Root => Path.GetFullPath(Path.Combine(options.Value.DataRoot, Prefix));

    /// <summary>
    /// The spec with every input stored and named by its location. Hashing and copying read every byte (minutes for a
    /// large checkpoint), so they run on threads of their own, not on the caller's.
    /// </summary>
    public async Task<RunSpec> StoreAsync(RunSpec spec, string runId)
    {
        var locations = new Dictionary<string, string>();
        foreach (var input in spec.Inputs)
        {
            locations[input.Field] = await StoreAsync(input);
            logger.LogInformation("run {Run}: {Field} '{Path}' stored as {Location}", runId, input.Field, input.Path, locations[input.Field]);
        }
        return spec.MapInputs(input => locations[input.Field]);
    }

    async Task<string> StoreAsync(SpecInput input)
    {
        try
        {
            var manifest = await ComputeThreads.RunLongAsync(() => input.IsDirectory ? ArtifactManifest.Of(input.Path) : ArtifactManifest.OfFile(input.Path));
            var hash = manifest.ContentHash();
            var name = $"{Prefix}/{hash}";
            var location = await artifacts.FindAsync(name) ?? await PublishCopyAsync(input, manifest, hash, name);
            return input.IsDirectory ? location : $"{location}/{Path.GetFileName(input.Path)}";
        }
        catch (Exception e) when (e is EppoException or IOException or UnauthorizedAccessException)
        {
            throw new EppoException($"run spec: field '{input.Field}': '{input.Path}' cannot be stored: {e.Message}");
        }
    }

    /// <summary>Local profile: the verified copy is the artifact. Azure: a scratch copy is uploaded, then deleted.</summary>
    async Task<string> PublishCopyAsync(SpecInput input, ArtifactManifest manifest, string hash, string name)
    {
        var copy = Path.Combine(Root, artifacts.IsRemote ? $"upload-{Guid.NewGuid():N}" : hash);
        try
        {
            await ComputeThreads.RunLongAsync(() => Directory.Exists(copy) || AtomicDirectory.Create(copy, temp => Fill(temp, input, manifest)));
            return await artifacts.PublishAsync(copy, name);
        }
        finally
        {
            if (artifacts.IsRemote && Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>Copies the input's files and checks them against what was hashed (a file changed in between is refused).</summary>
    static void Fill(string directory, SpecInput input, ArtifactManifest manifest)
    {
        foreach (var file in manifest.Files.Keys)
        {
            var target = Path.Combine(directory, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(input.IsDirectory ? Path.Combine(input.Path, file) : input.Path, target);
        }
        manifest.Verify(directory, input.Path);
    }

    /// <summary>The stored spec with its inputs at local paths on this silo (downloaded into the artifact cache when remote).</summary>
    public async Task<RunSpec> LocalizeAsync(RunSpec stored)
    {
        var paths = new Dictionary<string, string>();
        foreach (var input in stored.Inputs) paths[input.Field] = await LocalPathAsync(input);
        return stored.MapInputs(input => paths[input.Field]);
    }

    async Task<string> LocalPathAsync(SpecInput input)
    {
        if (input.IsDirectory) return await artifacts.LocalPathAsync(input.Path);
        var cut = input.Path.LastIndexOf('/');
        return cut <= 0 ? input.Path : Path.Combine(await artifacts.LocalPathAsync(input.Path[..cut]), input.Path[(cut + 1)..]);
    }

    /// <summary>
    /// The run as a stage works with it here (<see cref="LocalRun"/>): the spec as stored at run start, read without
    /// re-validating it (it was validated then, with its files), its inputs resolved to local paths, its task.
    /// A stage grain calls this once per activation and keeps the result.
    /// </summary>
    public async Task<LocalRun> ResolveAsync(RunContext run)
    {
        var spec = await LocalizeAsync(RunSpec.Deserialize(run.SpecJson, $"run '{run.RunId}'"));
        return new LocalRun(run, spec, TrainingTasks.For(spec));
    }
}
