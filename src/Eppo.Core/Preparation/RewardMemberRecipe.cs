namespace Eppo.Core.Preparation;

/// <summary>
/// How one reward model of a run is trained: its head, the seeds of its preference data, data order and head init,
/// and its learning-rate scale. Two recipes with equal fields are the same model (its cache key omits the role), so the
/// ensembles' first member, WARM's first ingredient and PPO's proxy are trained once. Family and Index name it among
/// its kind ("bt" members, "warm" ingredients past the first, "odin", "inform"): the trainer grain's key, so a plan's
/// members land on consecutive silos.
/// </summary>
public sealed record RewardMemberRecipe(string Role, RewardHeadOptions Head, int DataSeed, int OrderSeed, int InitSeed, double LrScale,
    string Family, int Index);
