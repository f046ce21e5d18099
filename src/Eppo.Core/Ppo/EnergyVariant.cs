using Eppo.Contracts;

namespace Eppo.Core.Ppo;

/// <summary>
/// How EPPO's penalty reads energy (the run spec's energy_* fields; docs/eppo.md has paper / official / beyond):
/// which energy (the paper's loss at the probe site, or the official code's output energy of each MLP linear), whose
/// reading of the policy's answer (the policy's own, or the frozen SFT model's), its scale (raw, or in units of
/// ΔE_SFT's spread over prompts times the reward's running std), and whether a fall of energy loss is penalised too.
/// </summary>
public sealed record EnergyVariant(bool Official, bool SftReader, bool Spread, bool OneSided)
{
    public static readonly EnergyVariant Paper = new(false, false, false, false);

    public static EnergyVariant Of(RunSpec spec) =>
        new(spec.EnergyDefinition == "official", spec.EnergyReader == "sft", spec.EnergyScale == "spread", spec.EnergyOneSided);

    /// <summary>
    /// The penalty before η, per response: Σ_m term_m, term_m = |rise_m| (one-sided: max(0, rise_m)), divided by
    /// spread[m] and the sum multiplied by rewardStd when <see cref="Spread"/>. rise_m is how much more energy the
    /// answer loses than the SFT model's own answer: read − sft for the paper's energy loss, sft − read for the official
    /// output energy (less output is more loss). sft[m], read[m] (B); spread[m] the running std of sft[m] over prompts.
    /// </summary>
    public float[] Penalty(IReadOnlyList<float[]> sft, IReadOnlyList<float[]> read, IReadOnlyList<double> spread, double rewardStd)
    {
        if (sft.Count == 0 || sft.Count != read.Count || (Spread && spread.Count != sft.Count))
            throw new EppoException($"energy penalty: {sft.Count} SFT modules, {read.Count} read modules, {spread.Count} spreads");
        var batch = sft[0].Length;
        var penalty = new double[batch];
        for (var m = 0; m < sft.Count; m++)
        {
            if (sft[m].Length != batch || read[m].Length != batch)
                throw new EppoException($"energy penalty: module {m} has {sft[m].Length} SFT and {read[m].Length} read energies, expected {batch}");
            Finite.Require(sft[m], "SFT energy", $"energy-penalty module {m}");
            Finite.Require(read[m], "RL energy", $"energy-penalty module {m}");
            if (Spread && !(spread[m] > 0))
                throw new EppoException($"energy_scale: 'spread' needs ΔE_SFT to vary over prompts, but its spread is {spread[m]} (module {m}); use \"raw\"");
            for (var b = 0; b < batch; b++)
            {
                var rise = Official ? (double)sft[m][b] - read[m][b] : (double)read[m][b] - sft[m][b];
                var term = OneSided ? Math.Max(0, rise) : Math.Abs(rise);
                penalty[b] += Spread ? term / spread[m] : term;
            }
        }
        return penalty.Select(p => (float)(Spread ? p * rewardStd : p)).ToArray();
    }
}
