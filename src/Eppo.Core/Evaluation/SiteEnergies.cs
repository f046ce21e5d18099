using Eppo.Core.Model;

namespace Eppo.Core.Evaluation;

/// <summary>
/// One energy loss (masked mean over response tokens, EOS excluded, sign mean|in| − mean|out|) at each of the four
/// probe sites of the final decoder layer.
/// </summary>
public sealed record SiteEnergies(float Block, float Mlp, float DownProj, float MlpLinears)
{
    /// <summary>Every probe site, in report order.</summary>
    public static IReadOnlyList<EnergySite> Sites { get; } =
        [EnergySite.Block, EnergySite.Mlp, EnergySite.DownProj, EnergySite.MlpLinears];

    public float At(EnergySite site) => site switch
    {
        EnergySite.Block => Block,
        EnergySite.Mlp => Mlp,
        EnergySite.DownProj => DownProj,
        EnergySite.MlpLinears => MlpLinears,
        _ => throw new EppoException($"Unknown energy probe site '{(int)site}'."),
    };

    public static SiteEnergies From(Func<EnergySite, float> energyAt) =>
        new(energyAt(EnergySite.Block), energyAt(EnergySite.Mlp), energyAt(EnergySite.DownProj), energyAt(EnergySite.MlpLinears));
}
