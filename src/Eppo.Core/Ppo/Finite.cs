namespace Eppo.Core.Ppo;

/// <summary>
/// Guards against silent NaN/Inf: a non-finite number stops the run with a message that says what and where,
/// e.g. "non-finite reward in stage 'score', sample 3 (NaN)".
/// </summary>
public static class Finite
{
    /// <summary>Throws <see cref="EppoException"/> at the first non-finite value.</summary>
    public static void Require(ReadOnlySpan<float> values, string what, string stage)
    {
        for (var i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) throw NonFinite(what, stage, i, values[i]);
    }

    public static void Require(float[] values, string what, string stage) => Require(values.AsSpan(), what, stage);

    /// <summary>
    /// Tensor variant; the reported index is the first sample (row, dimension 0) holding a non-finite value.
    /// Costs one host sync, which is why callers use it at stage boundaries, not inside loops.
    /// </summary>
    public static void Require(Tensor values, string what, string stage)
    {
        using var scope = NewDisposeScope();
        var bad = values.isfinite().logical_not();
        if (!bad.any().item<bool>()) return;
        var rowsBad = values.dim() == 0 ? bad.reshape(1) : bad.reshape(values.shape[0], -1).any(1);
        var sample = (int)rowsBad.to_type(ScalarType.Int64).argmax().item<long>();
        var firstBad = values.dim() == 0 ? values : values[sample].flatten()[bad[sample].flatten().to_type(ScalarType.Int64).argmax()];
        throw NonFinite(what, stage, sample, firstBad.to_type(ScalarType.Float64).item<double>());
    }

    static EppoException NonFinite(string what, string stage, int sample, double value) =>
        new($"non-finite {what} in stage '{stage}', sample {sample} ({value})");
}
