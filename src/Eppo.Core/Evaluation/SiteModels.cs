using Eppo.Core.Model;
using Eppo.Core.Preparation;

namespace Eppo.Core.Evaluation;

/// <summary>
/// One model probed at every energy site: the model itself at its own site, weight copies for the other three
/// (the probe reads only one site per forward pass). Disposes only the copies it made.
/// </summary>
internal sealed class SiteModels : IDisposable
{
    readonly Dictionary<EnergySite, DecoderModel> models = new();
    readonly List<DecoderModel> owned = new();

    public SiteModels(DecoderModel model)
    {
        if (model.Kind != HeadKind.LanguageModel)
            throw new EppoException($"evaluation needs a LanguageModel head, the model has a {model.Kind} head");
        foreach (var site in SiteEnergies.Sites)
        {
            if (site == model.Config.ProbeSite)
            {
                models[site] = model;
                continue;
            }
            var copy = ModelFactory.CopyOf(model, HeadKind.LanguageModel, seed: 0, site);
            copy.eval();
            owned.Add(copy);
            models[site] = copy;
        }
    }

    public DecoderModel this[EnergySite site] => models[site];

    public void Dispose()
    {
        foreach (var model in owned) model.Dispose();
        owned.Clear();
    }
}
