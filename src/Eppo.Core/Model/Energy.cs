namespace Eppo.Core.Model;

/// <summary>Energy-loss arithmetic (EPPO): per-token E_t = mean_d|in_t| − mean_d|out_t|, masked means over tokens.</summary>
public static class Energy
{
    /// <summary>(…, D_in), (…, D_out) → (…): a difference of mean absolute values, not a norm of the difference.</summary>
    public static Tensor Loss(Tensor input, Tensor output) =>
        input.abs().mean([-1L]) - output.abs().mean([-1L]);

    /// <summary>energy (B, T), mask (B, T) with 1 on counted tokens → (B); rows with no tokens give 0.</summary>
    public static Tensor MaskedMean(Tensor energy, Tensor mask)
    {
        var weights = mask.to_type(energy.dtype);
        return (energy * weights).sum(-1) / weights.sum(-1).ClampMin(1);
    }
}
