using Eppo.Core.Model;
using Eppo.Core.Preparation;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// One forward of a Hugging Face checkpoint (with a PEFT adapter, if given) over a token sequence: logits (T × V), and
/// the final layer's energy loss per token at every probe site.
/// </summary>
public static class CheckpointLogits
{
    public sealed record Result(float[][] Logits, IReadOnlyDictionary<string, float[]> Energy);

    public static Result Compute(string dir, long[] ids, string? adapterDir = null)
    {
        using var scope = NewDisposeScope();
        using var model = HuggingFaceCheckpoint.Load(dir);
        using var adapter = adapterDir is null ? null : Adapters.PeftAdapter.Read(adapterDir, model);
        adapter?.ApplyModulesToSave(model);
        var c = model.Config;
        if (ids.Length == 0) throw new EppoException("--tokens: no token ids");
        if (ids.Any(id => id < 0 || id >= c.VocabSize))
            throw new EppoException($"--tokens: id {ids.First(id => id < 0 || id >= c.VocabSize)} is outside the vocabulary (size {c.VocabSize})");
        if (ids.Length > c.MaxPositions) throw new EppoException($"--tokens: {ids.Length} tokens, the model has {c.MaxPositions} positions");
        var input = tensor(ids, [1, ids.Length]);
        var mask = ones(1, ids.Length, ScalarType.Int64);
        var positions = Positions.FromMask(mask);
        using var noGrad = no_grad();
        model.eval();
        var rows = model.Forward(input, positions, mask, adapter: adapter?.Adapter).Head[0];
        Ppo.Finite.Require(rows, "logit", "model logits");
        var logits = Enumerable.Range(0, ids.Length).Select(t => rows[t].cpu().data<float>().ToArray()).ToArray();
        var energy = new Dictionary<string, float[]>();
        foreach (var site in Enum.GetValues<EnergySite>())  // the probe reads one site per forward pass
            energy[site.ToConfigString()] = model.Forward(input, positions, mask, adapter: adapter?.Adapter, site: site).Energy[0].cpu().data<float>().ToArray();
        return new Result(logits, energy);
    }
}
