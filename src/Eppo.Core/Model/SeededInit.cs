namespace Eppo.Core.Model;

/// <summary>
/// Seeded random init that follows the tensor's device: the generator lives on that device (a CPU generator cannot
/// fill a CUDA tensor, nor one on libtorch's meta device), and the noise is drawn there in float32, then copied into
/// the tensor's own dtype. A seed fixes the numbers per device kind.
/// </summary>
internal static class SeededInit
{
    public static torch.Generator Generator(int seed, Device device) => new((ulong)seed, device);

    /// <summary>target ← N(0, std²).</summary>
    public static void Normal(Tensor target, double std, torch.Generator generator)
    {
        using var noise = randn(target.shape, dtype: ScalarType.Float32, device: target.device, generator: generator);
        using var scaled = noise.Times(std);
        target.copy_(scaled);
    }

    /// <summary>target ← U(low, high).</summary>
    public static void Uniform(Tensor target, double low, double high, torch.Generator generator)
    {
        using var noise = rand(target.shape, dtype: ScalarType.Float32, device: target.device, generator: generator);
        using var scaled = noise.Times(high - low);
        using var shifted = scaled.Plus(low);
        target.copy_(shifted);
    }
}
