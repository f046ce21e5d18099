using Eppo.Core.Model;

namespace Eppo.Core.Adapters;

/// <summary>Folds an adapter into its base's weights: W ← W + s·B·A per adapted linear (PEFT's merge on our (out, in) layout).</summary>
public static class LoraMerge
{
    /// <summary>Merges in place; the model then computes base + adapter without the adapter.</summary>
    public static void Into(DecoderModel model, LoraAdapter adapter)
    {
        using var noGrad = no_grad();
        var byPath = model.Projections.ToDictionary(p => p.Path);
        foreach (var path in adapter.Paths)
        {
            if (!byPath.TryGetValue(path, out var projection))
                throw new EppoException($"adapter layer '{path}' has no linear of that name in the model");
            using var scope = NewDisposeScope();
            var delta = adapter.Layer(path)!.MergedDelta();
            projection.Weight.add_(delta.to(projection.Weight.dtype));
        }
    }
}
