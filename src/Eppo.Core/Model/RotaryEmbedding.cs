namespace Eppo.Core.Model;

/// <summary>Rotary position embedding (Llama / HF "rotate_half" layout: the two halves of a head are the pairs).</summary>
public static class RotaryEmbedding
{
    /// <summary>positions (B, T) → cos, sin each (B, 1, T, headDim), broadcast over heads.</summary>
    public static (Tensor Cos, Tensor Sin) Angles(Tensor positions, int headDim, double theta, RopeScaling? scaling = null)
    {
        using var scope = NewDisposeScope();
        var inverseFrequency = tensor(InverseFrequencies(headDim, theta, scaling), device: positions.device); // (headDim/2)
        var angles = positions.to_type(ScalarType.Float32).unsqueeze(-1) * inverseFrequency;   // (B, T, headDim/2)
        var doubled = cat([angles, angles], -1).unsqueeze(1);                                     // (B, 1, T, headDim)
        return (doubled.cos().MoveToOuterDisposeScope(), doubled.sin().MoveToOuterDisposeScope());
    }

    /// <summary>1 / theta^(2i / headDim) for i in [0, headDim/2), then scaled (Llama 3) when <paramref name="scaling"/> is given.</summary>
    public static float[] InverseFrequencies(int headDim, double theta, RopeScaling? scaling = null) =>
        [.. Enumerable.Range(0, headDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / headDim))
            .Select(f => (float)(scaling is null ? f : scaling.Scale(f)))];

    /// <summary>x (B, H, T, headDim) rotated by the angles.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var half = x.shape[^1] / 2;
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return (x * cos).Plus(rotated * sin).MoveToOuterDisposeScope();
    }
}
