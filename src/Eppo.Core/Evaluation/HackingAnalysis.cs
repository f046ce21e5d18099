using Eppo.Core.Model;

namespace Eppo.Core.Evaluation;

/// <summary>Observation 2 over a pool of samples: how many hack, and how energy separates them, at every probe site.</summary>
public sealed record HackingAnalysis(int Samples, int HackingSamples, EnergySite RunSite, IReadOnlyList<SiteHacking> Sites)
{
    public double HackingShare => Samples == 0 ? double.NaN : (double)HackingSamples / Samples;

    public SiteHacking At(EnergySite site) =>
        Sites.FirstOrDefault(s => s.Site == site) ?? throw new EppoException($"hacking analysis has no site {site}");
}
