namespace Eppo.Contracts;

/// <summary>A term a method adds to the reward source's score before PPO (then the sum is clipped to ±reward_clip).</summary>
public enum ShapingTerm
{
    /// <summary>EPPO: −η·|ΔE_SFT − ΔE_RL| (optionally floored at c·r).</summary>
    EnergyPenalty,
    /// <summary>PPO w/ LP of the official repo: +(1 − L/N)·σ_r, σ_r the running std of the scores.</summary>
    LengthPenalty,
}

/// <summary>How the scores of a reward source's members (one or more reward models) become one score per response.</summary>
public enum RewardCombination
{
    /// <summary>One member; its score as it is.</summary>
    Single,
    /// <summary>The members' mean.</summary>
    Mean,
}

/// <summary>
/// One RL method: which reward it optimises and what shapes it. Validation, the learner, the demo, the CLI help and
/// the report all read <see cref="TrainingMethods.All"/>; a method that composes existing parts is one entry there.
/// </summary>
public sealed record TrainingMethod
{
    public required string Name { get; init; }
    /// <summary>One line for help texts and the report.</summary>
    public required string Summary { get; init; }
    /// <summary>How many reward models score each response (trained with different seeds when the spec trains them).</summary>
    public int RewardMembers { get; init; } = 1;
    public RewardCombination Combination { get; init; } = RewardCombination.Single;
    public IReadOnlyList<ShapingTerm> Shaping { get; init; } = [];
    /// <summary>Per-token −β·KL to the frozen SFT policy.</summary>
    public bool Kl { get; init; }
    /// <summary>Whether `eppo demo` runs it by default.</summary>
    public bool InDemo { get; init; } = true;
    /// <summary>Methods the report also compares this one with, beyond the reference method's row.</summary>
    public IReadOnlyList<string> Contrasts { get; init; } = [];

    public bool Shapes(ShapingTerm term) => Shaping.Contains(term);
}

public static class TrainingMethods
{
    /// <summary>Every method, in the report's order.</summary>
    public static readonly IReadOnlyList<TrainingMethod> All =
    [
        new() { Name = "ppo", Summary = "RM score at the last token, no KL (β = 0)" },
        new() { Name = "ppo-kl", Summary = "RM score plus a per-token −β·KL to the SFT policy", Kl = true },
        new() { Name = "ppo-lp", Summary = "RM score with the official repo's length penalty r + (1 − L/N)·σ_r", Shaping = [ShapingTerm.LengthPenalty] },
        new() { Name = "eppo", Summary = "energy-loss penalty r − η·|ΔE_SFT − ΔE_RL|", Shaping = [ShapingTerm.EnergyPenalty] },
        new()
        {
            Name = "eppo-kl", Summary = "EPPO's penalty and a per-token KL penalty together", Shaping = [ShapingTerm.EnergyPenalty], Kl = true,
            Contrasts = ["ppo-kl", "eppo"],
        },
    ];

    public static IReadOnlyList<string> Names => All.Select(m => m.Name).ToArray();

    /// <summary>The methods `eppo demo` runs when none are named.</summary>
    public static IReadOnlyList<string> DemoNames => All.Where(m => m.InDemo).Select(m => m.Name).ToArray();

    public static TrainingMethod? Find(string name) => All.FirstOrDefault(m => m.Name == name);

    /// <summary>The method called <paramref name="name"/>; an unknown name is an error naming <paramref name="field"/> and listing the known ones.</summary>
    public static TrainingMethod Get(string name, string field = "method") =>
        Find(name) ?? throw new EppoException($"{field}: unknown method '{name}' (expected one of {string.Join(", ", Names)})");

    /// <summary>Report order: known methods in table order, then any others by name.</summary>
    public static IReadOnlyList<string> InReportOrder(IEnumerable<string> present)
    {
        var names = present.Distinct().ToArray();
        return Names.Where(names.Contains).Concat(names.Except(Names).Order(StringComparer.Ordinal)).ToArray();
    }
}
