using Eppo.Contracts;
using Eppo.Core.Ppo;

namespace Eppo.Core.Learning;

/// <summary>The PPO epochs over one experience: per minibatch, a policy step on the clipped surrogate, then a critic step on the clipped value loss.</summary>
public static class PpoEpochs
{
    /// <summary>
    /// Mean losses and clip fraction over the minibatches. The minibatch order is a function of seed and iteration, over
    /// the whole batch's rows: a data-parallel replica steps on its rows of each minibatch (its steps' hooks average the
    /// gradients), and the losses are the token-weighted means over every replica's rows, as one learner reports them.
    /// </summary>
    public static PpoLosses Run(RunSpec spec, ILearnerModels models, Experience experience, int iteration, ReplicaShare share, IBatchReduction reduce)
    {
        var perStep = new List<float>();  // per minibatch: tokens, tokens·policy loss, tokens·clip fraction, tokens·value loss
        var rng = new Random((int)(Seeds.Minibatches(spec.Seed, iteration) & 0x7fffffff));
        for (var epoch = 0; epoch < spec.PpoEpochs; epoch++)
        {
            var order = Enumerable.Range(0, share.BatchRows).ToArray();
            rng.Shuffle(order);
            foreach (var rows in order.Chunk(spec.MiniBatchSize))
            {
                using var step = NewDisposeScope();
                var local = share.Local(rows);
                if (local.Length == 0)
                {
                    models.ActorStep.Apply(null);
                    models.CriticStep.Apply(null);
                    perStep.AddRange([0, 0, 0, 0]);
                    continue;
                }
                var mb = experience.Select(tensor(local, device: experience.Advantages.device));
                var tokens = share.IsWhole ? 1 : mb.ActionMask.sum().to_type(ScalarType.Int64).item<long>();

                var scores = models.Policy(mb.Sequences);
                var pl = PolicyLoss.Clipped(scores.LogProbs, mb.BehaviourLogProbs, mb.Advantages, mb.ActionMask, spec.ClipEps);
                models.ActorStep.Apply(pl.Loss, tokens);

                var values = models.Values(mb.Sequences);
                var vl = ValueLoss.Clipped(values, mb.Values, mb.Returns, mb.ActionMask, spec.ValueClipEps);
                models.CriticStep.Apply(vl, tokens);

                perStep.AddRange([tokens, tokens * pl.Loss.item<float>(), tokens * pl.ClipFraction.item<float>(), tokens * vl.item<float>()]);
            }
        }
        return Means(reduce.Sum([.. perStep]));
    }

    /// <summary>Each minibatch's token-weighted means, then their mean over the minibatches.</summary>
    static PpoLosses Means(float[] perStep)
    {
        double policyLoss = 0, valueLoss = 0, clipFraction = 0;
        var steps = perStep.Length / 4;
        for (var s = 0; s < steps; s++)
        {
            var tokens = (double)perStep[4 * s];
            policyLoss += perStep[4 * s + 1] / tokens;
            clipFraction += perStep[4 * s + 2] / tokens;
            valueLoss += perStep[4 * s + 3] / tokens;
        }
        return new PpoLosses(policyLoss / steps, valueLoss / steps, clipFraction / steps);
    }
}

/// <summary>Means over an iteration's minibatches.</summary>
public sealed record PpoLosses(double Policy, double Value, double ClipFraction);
