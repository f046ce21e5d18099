using Eppo.Core.Model;

namespace Eppo.Core.Preparation;

/// <summary>WARM's merge: the uniform average of models of one shape, parameter by parameter.</summary>
public static class WeightAverage
{
    public static DecoderModel Of(IReadOnlyList<string> directories)
    {
        if (directories.Count == 0) throw new EppoException("weight average: no models to average");
        var models = directories.Select(d => ModelStore.Load(d).Model).ToArray();
        try
        {
            return Of(models, directories);
        }
        finally
        {
            foreach (var model in models) model.Dispose();
        }
    }

    /// <param name="names">Names of the models, for an error about one that differs in shape.</param>
    public static DecoderModel Of(IReadOnlyList<DecoderModel> models, IReadOnlyList<string> names)
    {
        var first = models[0];
        var average = new DecoderModel(first.Config, first.Kind, rewardLatent: first.RewardLatent);
        using var noGrad = no_grad();
        var states = models.Select(m => m.state_dict()).ToArray();
        foreach (var (name, parameter) in average.state_dict())
        {
            for (var i = 0; i < states.Length; i++)
                if (!states[i].TryGetValue(name, out var value) || !value.shape.SequenceEqual(parameter.shape) || models[i].Kind != first.Kind)
                    throw new EppoException($"weight average: {names[i]} differs from {names[0]} in '{name}'");
            using var scope = NewDisposeScope();
            var sum = states[0][name].to_type(ScalarType.Float64).clone();
            for (var i = 1; i < states.Length; i++) sum.add_(states[i][name].to_type(ScalarType.Float64));
            parameter.copy_(sum.div_(states.Length).to_type(parameter.dtype));
        }
        average.eval();
        return average;
    }
}
