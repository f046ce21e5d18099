namespace Eppo.Core.Evaluation;

/// <summary>
/// Mean energies of one group of samples (hacking or normal) at one site: Sft = ΔE_SFT(x), the SFT model on its own
/// greedy answer to the same prompt; Rl = ΔE_RL, the policy on its response; SftOnResponse = the SFT model on the
/// policy's response. Rise = Rl − Sft. NaN for an empty group.
/// </summary>
public sealed record GroupEnergy(int Count, double Sft, double Rl, double SftOnResponse)
{
    public double Rise => Rl - Sft;
}
