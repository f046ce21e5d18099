using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Eppo.Core;

namespace Eppo.Grains.Artifacts;

/// <summary>
/// The file list of a published artifact: relative path → size and SHA-256. Uploaded last, so an artifact without
/// one is incomplete; downloads are checked against it before they are used.
/// </summary>
public sealed record ArtifactManifest(string Format, IReadOnlyDictionary<string, ArtifactFile> Files)
{
    public const string CurrentFormat = "eppo-artifact/1";
    public const string BlobName = "_manifest.json";

    public static ArtifactManifest Of(string directory)
    {
        var root = Path.GetFullPath(directory);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToDictionary(path => Path.GetRelativePath(root, path).Replace('\\', '/'), ArtifactFile.Of);
        if (files.Count == 0) throw new EppoException($"artifact directory '{directory}' is empty");
        return new ArtifactManifest(CurrentFormat, files);
    }

    /// <summary>The manifest of one file, named as it is: how a file input is stored (a directory holding it).</summary>
    public static ArtifactManifest OfFile(string path) =>
        new(CurrentFormat, new Dictionary<string, ArtifactFile> { [Path.GetFileName(path)] = ArtifactFile.Of(path) });

    /// <summary>SHA-256 of the file list (names, sizes, hashes): equal content under equal names, equal hash.</summary>
    public string ContentHash() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n",
            Files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}\t{f.Value.Bytes}\t{f.Value.Sha256}")))));

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, new JsonSerializerOptions { WriteIndented = true });

    public static ArtifactManifest Parse(BinaryData data, string location)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<ArtifactManifest>(data.ToStream());
            if (manifest is null || manifest.Format != CurrentFormat || manifest.Files is null || manifest.Files.Count == 0)
                throw new EppoException($"artifact '{location}': manifest is not {CurrentFormat}");
            foreach (var name in manifest.Files.Keys)
                if (name.StartsWith('/') || name.Split('/').Contains(".."))
                    throw new EppoException($"artifact '{location}': manifest names a file outside the artifact ('{name}')");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new EppoException($"artifact '{location}': manifest is corrupt: {e.Message}");
        }
    }

    /// <summary>Throws naming the first file whose size or hash differs from the manifest.</summary>
    public void Verify(string directory, string location)
    {
        foreach (var (name, expected) in Files)
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path)) throw new EppoException($"artifact '{location}': file '{name}' is missing");
            var actual = ArtifactFile.Of(path);
            if (actual != expected)
                throw new EppoException($"artifact '{location}': file '{name}' is corrupt ({actual.Bytes} bytes, SHA-256 {actual.Sha256[..12]}…; the manifest says {expected.Bytes} bytes, {expected.Sha256[..12]}…)");
        }
    }
}

public sealed record ArtifactFile(long Bytes, string Sha256)
{
    public static ArtifactFile Of(string path)
    {
        using var stream = File.OpenRead(path);
        return new ArtifactFile(stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }
}
