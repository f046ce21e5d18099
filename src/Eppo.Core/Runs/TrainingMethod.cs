namespace Eppo.Core.Runs;

/// <summary>The RL methods compared in the paper's tables, plus EPPO with a KL penalty.</summary>
public enum TrainingMethod
{
    /// <summary>RM score at the last token, no KL (β = 0).</summary>
    Ppo,
    /// <summary>Per-token −β·KL to the SFT policy plus the RM score.</summary>
    PpoKl,
    /// <summary>Length penalty of the official repo: r + (1 − L/N)·σ_r.</summary>
    PpoLp,
    /// <summary>Energy-loss penalty: r − η·|ΔE_SFT − ΔE_RL|, clipped.</summary>
    Eppo,
    /// <summary>EPPO's penalty and a per-token KL penalty together.</summary>
    EppoKl,
}

public static class TrainingMethods
{
    public static readonly IReadOnlyDictionary<string, TrainingMethod> ByName = new Dictionary<string, TrainingMethod>
    {
        ["ppo"] = TrainingMethod.Ppo, ["ppo-kl"] = TrainingMethod.PpoKl, ["ppo-lp"] = TrainingMethod.PpoLp,
        ["eppo"] = TrainingMethod.Eppo, ["eppo-kl"] = TrainingMethod.EppoKl,
    };

    public static string Name(this TrainingMethod method) => ByName.First(kv => kv.Value == method).Key;

    public static bool UsesEnergyPenalty(this TrainingMethod method) => method is TrainingMethod.Eppo or TrainingMethod.EppoKl;
    public static bool UsesKl(this TrainingMethod method) => method is TrainingMethod.PpoKl or TrainingMethod.EppoKl;
    public static bool UsesLengthPenalty(this TrainingMethod method) => method is TrainingMethod.PpoLp;

    public static TrainingMethod Parse(string name, string field = "method") =>
        ByName.TryGetValue(name, out var method)
            ? method
            : throw new EppoException($"{field}: unknown method '{name}' (expected one of {string.Join(", ", ByName.Keys)})");
}
