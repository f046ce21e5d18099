namespace Eppo.Core.Model;

/// <summary>Energy-loss arithmetic (EPPO): per-token E_t = mean_d|in_t| − mean_d|out_t|, masked means over tokens.</summary>
public static class Energy
{
    /// <summary>(…, D_in), (…, D_out) → (…): a difference of mean absolute values, not a norm of the difference.</summary>
    public static Tensor Loss(Tensor input, Tensor output) =>
        input.abs().mean([-1L]) - output.abs().mean([-1L]);

    /// <summary>Output energies of several linears, each (…, D_m) → (…, M): mean_d|y_m| per channel (the official code's E_m).</summary>
    public static Tensor Outputs(params Tensor[] outputs) => stack(outputs.Select(y => y.abs().mean([-1L])).ToArray(), -1);

    /// <summary>
    /// energy (B, T), mask (B, T) with 1 on counted tokens → (B); rows with no tokens give 0. Channelled energy
    /// (B, T, M) → (B, M), each channel averaged over the same tokens.
    /// </summary>
    public static Tensor MaskedMean(Tensor energy, Tensor mask)
    {
        var weights = mask.to_type(energy.dtype);
        if (energy.dim() == 3) weights = weights.unsqueeze(-1);
        return (energy * weights).sum(energy.dim() == 3 ? 1 : -1) / weights.sum(energy.dim() == 3 ? 1 : -1).ClampMin(1);
    }
}
