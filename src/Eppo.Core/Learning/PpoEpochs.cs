using Eppo.Contracts;
using Eppo.Core.Ppo;

namespace Eppo.Core.Learning;

/// <summary>The PPO epochs over one experience: per minibatch, a policy step on the clipped surrogate, then a critic step on the clipped value loss.</summary>
public static class PpoEpochs
{
    /// <summary>Mean losses and clip fraction over the minibatches. The minibatch order is a function of seed and iteration.</summary>
    public static PpoLosses Run(RunSpec spec, ILearnerModels models, Experience experience, int iteration)
    {
        double policyLoss = 0, valueLoss = 0, clipFraction = 0;
        var steps = 0;
        var rng = new Random((int)(Seeds.Minibatches(spec.Seed, iteration) & 0x7fffffff));
        for (var epoch = 0; epoch < spec.PpoEpochs; epoch++)
        {
            var order = Enumerable.Range(0, experience.Rows).ToArray();
            rng.Shuffle(order);
            foreach (var rows in order.Chunk(spec.MiniBatchSize))
            {
                using var step = NewDisposeScope();
                var mb = experience.Select(tensor(rows.Select(r => (long)r).ToArray(), device: experience.Advantages.device));

                var scores = models.Policy(mb.Sequences);
                var pl = PolicyLoss.Clipped(scores.LogProbs, mb.BehaviourLogProbs, mb.Advantages, mb.ActionMask, spec.ClipEps);
                models.ActorStep.Apply(pl.Loss);

                var values = models.Values(mb.Sequences);
                var vl = ValueLoss.Clipped(values, mb.Values, mb.Returns, mb.ActionMask, spec.ValueClipEps);
                models.CriticStep.Apply(vl);

                policyLoss += pl.Loss.item<float>();
                valueLoss += vl.item<float>();
                clipFraction += pl.ClipFraction.item<float>();
                steps++;
            }
        }
        return new PpoLosses(policyLoss / steps, valueLoss / steps, clipFraction / steps);
    }
}

/// <summary>Means over an iteration's minibatches.</summary>
public sealed record PpoLosses(double Policy, double Value, double ClipFraction);
