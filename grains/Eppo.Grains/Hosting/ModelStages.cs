using Eppo.Grains.Stages;

namespace Eppo.Grains.Hosting;

/// <summary>
/// The model-bearing stages a silo can host, by name (<c>--stages</c>): a silo leaves the classes of the others out of
/// its grain manifest, so placement (which reads the cluster manifest) puts, say, learner replicas only on the silos
/// an operator gave the learners, and generators elsewhere.
/// </summary>
public static class ModelStages
{
    public static readonly IReadOnlyDictionary<string, Type> All = new Dictionary<string, Type>
    {
        ["learner"] = typeof(LearnerGrain),
        ["generator"] = typeof(RolloutGeneratorGrain),
        ["scorer"] = typeof(RewardScorerGrain),
        ["reference"] = typeof(EnergyReferenceGrain),
        ["trainer"] = typeof(ModelTrainerGrain),
    };

    /// <summary>"all", or a comma-separated list of stage names → the names; one line naming what is wrong otherwise.</summary>
    public static IReadOnlyList<string> Parse(string list, string field = "--stages")
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).Distinct().ToArray();
        if (names is ["all"]) return [.. All.Keys];
        if (names.Length == 0) throw new EppoException($"{field}: empty; name some of {string.Join(", ", All.Keys)} (or all), or start the silo with --model-slots 0");
        if (names.FirstOrDefault(n => !All.ContainsKey(n)) is { } unknown)
            throw new EppoException($"{field}: unknown stage '{unknown}' (expected all, or some of {string.Join(", ", All.Keys)})");
        return names;
    }
}
