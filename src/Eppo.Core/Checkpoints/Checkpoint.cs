using System.Security.Cryptography;
using System.Text.Json;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// A training checkpoint is a directory:
///   model.safetensors      the module's parameters and buffers (readable by any safetensors reader)
///   optimizer.safetensors  the optimizer's state (see OptimizerStateFile), when an optimizer was given
///   metadata.json          the caller's object (model config, iteration, RNG state, …)
///   manifest.json          size and SHA-256 of each file above; written last
/// Save writes the directory with <see cref="AtomicDirectory"/> (temporary sibling, fsync, rename), so a crash leaves
/// either the old checkpoint or the new one, never a mix. Load verifies every hash
/// before touching the model, so a truncated or corrupted checkpoint is never read as good.
/// </summary>
public static class Checkpoint
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string MetadataFile = "metadata.json";
    public const string ManifestFile = "manifest.json";

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Save(string dir, nn.Module model, optim.Optimizer? optimizer, object metadata) =>
        AtomicDirectory.Write(dir, temp =>
        {
            var files = new Dictionary<string, CheckpointFile>
            {
                [ModelFile] = WriteFile(Path.Combine(temp, ModelFile), stream => ModelWeights.Write(model, stream)),
            };
            if (optimizer is not null)
                files[OptimizerFile] = WriteFile(Path.Combine(temp, OptimizerFile), stream => OptimizerStateFile.Write(optimizer, stream));
            var metadataJson = JsonSerializer.SerializeToUtf8Bytes(metadata, metadata.GetType(), Indented);
            files[MetadataFile] = WriteFile(Path.Combine(temp, MetadataFile), stream => stream.Write(metadataJson));
            var manifest = new CheckpointManifest(CheckpointManifest.CurrentFormat, DateTimeOffset.UtcNow, files);
            WriteFile(Path.Combine(temp, ManifestFile), stream => JsonSerializer.Serialize(stream, manifest, Indented));
        });

    /// <summary>
    /// Verifies the checkpoint, loads the weights into <paramref name="model"/> and, when given, the state into
    /// <paramref name="optimizer"/> (built by the caller with the same parameters and hyperparameters).
    /// Returns metadata.json as text.
    /// </summary>
    public static string Load(string dir, nn.Module model, optim.Optimizer? optimizer = null)
    {
        var manifest = Verify(dir);
        if (optimizer is not null && !manifest.Files.ContainsKey(OptimizerFile))
            throw new EppoException($"checkpoint '{dir}' has no {OptimizerFile}: it was saved without an optimizer");
        ModelWeights.Load(model, SafetensorsFile.Open(Path.Combine(dir, ModelFile)));
        if (optimizer is not null) OptimizerStateFile.Read(optimizer, SafetensorsFile.Open(Path.Combine(dir, OptimizerFile)));
        return File.ReadAllText(Path.Combine(dir, MetadataFile));
    }

    /// <summary><see cref="Load(string, nn.Module, optim.Optimizer?)"/> with the metadata deserialised.</summary>
    public static T Load<T>(string dir, nn.Module model, optim.Optimizer? optimizer = null) =>
        Deserialize<T>(Load(dir, model, optimizer), dir);

    /// <summary>The metadata alone (verified), e.g. to build the model from its config before loading weights.</summary>
    public static T ReadMetadata<T>(string dir)
    {
        Verify(dir);
        return Deserialize<T>(File.ReadAllText(Path.Combine(dir, MetadataFile)), dir);
    }

    /// <summary>Checks the manifest and every file's size and SHA-256; throws naming the first bad file.</summary>
    public static CheckpointManifest Verify(string dir)
    {
        var manifestPath = Path.Combine(dir, ManifestFile);
        if (!File.Exists(manifestPath))
            throw new EppoException(Directory.Exists(dir)
                ? $"checkpoint '{dir}' is incomplete: no {ManifestFile}"
                : $"checkpoint '{dir}' does not exist");
        CheckpointManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(manifestPath))
                ?? throw new EppoException($"checkpoint file '{ManifestFile}' in '{dir}' is empty");
        }
        catch (JsonException e)
        {
            throw new EppoException($"checkpoint file '{ManifestFile}' in '{dir}' is corrupt: {e.Message}");
        }
        if (manifest.Format != CheckpointManifest.CurrentFormat)
            throw new EppoException($"checkpoint '{dir}' has format '{manifest.Format}', expected '{CheckpointManifest.CurrentFormat}'");
        foreach (var required in new[] { ModelFile, MetadataFile })
            if (!manifest.Files.ContainsKey(required))
                throw new EppoException($"checkpoint '{dir}': {ManifestFile} does not list '{required}'");
        foreach (var (name, expected) in manifest.Files)
        {
            var path = Path.Combine(dir, name);
            if (!File.Exists(path)) throw new EppoException($"checkpoint file '{name}' in '{dir}' is missing");
            var length = new FileInfo(path).Length;
            if (length != expected.Bytes)
                throw new EppoException($"checkpoint file '{name}' in '{dir}' is corrupt: {length} bytes, the manifest says {expected.Bytes}");
            if (Sha256Of(path) != expected.Sha256)
                throw new EppoException($"checkpoint file '{name}' in '{dir}' is corrupt: SHA-256 does not match the manifest");
        }
        return manifest;
    }

    static T Deserialize<T>(string json, string dir)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json) ?? throw new EppoException($"checkpoint '{dir}': {MetadataFile} is null");
        }
        catch (JsonException e)
        {
            throw new EppoException($"checkpoint '{dir}': {MetadataFile} does not match {typeof(T).Name}: {e.Message}");
        }
    }

    static CheckpointFile WriteFile(string path, Action<Stream> write)
    {
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None)) write(stream);
        return new CheckpointFile(new FileInfo(path).Length, Sha256Of(path));
    }

    static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
