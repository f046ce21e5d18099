using Eppo.Core.Checkpoints;
using Eppo.Core.Preparation;

namespace Eppo.Core.Adapters;

/// <summary>A LoRA run's policy (a learner checkpoint's actor) as a PEFT adapter directory for its base.</summary>
public static class AdapterExport
{
    /// <summary>Writes the adapter of <paramref name="actorDir"/> to <paramref name="outDir"/>; returns the base it adapts.</summary>
    public static string Peft(string actorDir, string outDir)
    {
        var meta = Checkpoint.ReadMetadata<ModelStore.Metadata>(actorDir);
        var reference = meta.Adapter ?? throw new EppoException($"{actorDir}: not adapter weights");
        var settings = reference.Settings(Path.Combine(actorDir, Checkpoint.MetadataFile));
        if (!Directory.Exists(reference.Base))
            throw new EppoException($"{actorDir}: the adapter's base '{reference.Base}' is not a directory here (fetch the run's SFT model first)");
        using var baseModel = ModelStore.Load(reference.Base).Model;
        using var adapter = LoraAdapter.ToOverwrite(settings.Lora, baseModel);
        Checkpoint.Load(actorDir, adapter);
        PeftAdapter.Write(outDir, adapter, baseModel, reference.Base);
        return reference.Base;
    }
}
