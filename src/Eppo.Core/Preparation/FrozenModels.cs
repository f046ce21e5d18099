using System.Collections.Concurrent;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;

namespace Eppo.Core.Preparation;

/// <summary>
/// The frozen models of this process, loaded once per content and dtype and shared by every stage on this silo that
/// reads them unchanged: the SFT base of LoRA generators, the energy reference and LoRA learners, the reward model of
/// a scorer. A lease keeps its model alive; the last release frees it. Shared models never train and never load
/// weights after they are built (requires_grad off), and a pass reads the energy at its own site, so callers with
/// different probe sites share one copy.
/// </summary>
public static class FrozenModels
{
    static readonly ConcurrentDictionary<string, Entry> Entries = new();
    static readonly Lock Gate = new();

    /// <summary>The model in <paramref name="directory"/> (ours or Hugging Face's), kept in <paramref name="dtype"/>.</summary>
    public static FrozenModel Acquire(string directory, ScalarType dtype = ScalarType.Float32)
    {
        var key = $"{ContentKey(directory)}|{dtype}";
        Entry entry;
        lock (Gate)
        {
            entry = Entries.GetOrAdd(key, k => new Entry(k, new Lazy<DecoderModel>(() => Load(directory, dtype))));
            entry.References++;
        }
        try
        {
            return new FrozenModel(entry.Model.Value, () => Release(entry));
        }
        catch
        {
            Release(entry);  // a failed load is not cached: the next caller tries again
            throw;
        }
    }

    /// <summary>How many distinct frozen models this process holds (tests).</summary>
    public static int Count => Entries.Count;

    static void Release(Entry entry)
    {
        lock (Gate)
        {
            if (--entry.References > 0) return;
            Entries.TryRemove(entry.Key, out _);
        }
        if (entry.Model.IsValueCreated) entry.Model.Value.Dispose();
    }

    static DecoderModel Load(string directory, ScalarType dtype)
    {
        var model = ModelStore.Load(directory, dtype: dtype).Model;
        foreach (var parameter in model.parameters()) parameter.requires_grad = false;
        return model;
    }

    /// <summary>
    /// What identifies a model's content cheaply: the SHA-256 of our checkpoint's weights file as its manifest records it
    /// (checked when the model loads), else the directory and its files' sizes and times (a Hugging Face checkpoint).
    /// </summary>
    static string ContentKey(string directory)
    {
        var full = Path.GetFullPath(directory);
        var manifest = Path.Combine(full, Checkpoint.ManifestFile);
        if (File.Exists(manifest))
        {
            // The manifest's record, not a fresh hash of gigabytes: the load that follows verifies the file against it.
            try
            {
                var files = System.Text.Json.JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(manifest))?.Files;
                if (files is not null && files.TryGetValue(Checkpoint.ModelFile, out var weights)) return $"sha256:{weights.Sha256}";
            }
            catch (System.Text.Json.JsonException)
            {
                // A corrupt manifest: keyed by the directory; the load names the problem.
            }
        }
        var stamp = Directory.Exists(full)
            ? string.Join(";", Directory.EnumerateFiles(full).Order().Select(f => $"{Path.GetFileName(f)}:{new FileInfo(f).Length}:{File.GetLastWriteTimeUtc(f).Ticks}"))
            : "";
        return $"dir:{full}|{stamp}";
    }

    sealed class Entry(string key, Lazy<DecoderModel> model)
    {
        public string Key { get; } = key;
        public Lazy<DecoderModel> Model { get; } = model;
        public int References { get; set; }
    }
}

/// <summary>A lease on a shared frozen model: dispose it when done (never the model).</summary>
public sealed class FrozenModel(DecoderModel model, Action release) : IDisposable
{
    /// <summary>A lease on a model the caller keeps owning (a benchmark's or a test's): releasing it does nothing.</summary>
    public static FrozenModel Borrow(DecoderModel model) => new(model, () => { });

    int released;

    public DecoderModel Model => Volatile.Read(ref released) == 0 ? model : throw new ObjectDisposedException(nameof(FrozenModel));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref released, 1) == 0) release();
    }
}
