using Eppo.Contracts;
using TorchSharp.Modules;
using Eppo.Core.Preparation;

namespace Eppo.Core;

/// <summary>
/// The step of TorchSharp 0.107's Adam and AdamW (Optimizers/Adam.cs, AdamW.cs: the same operations on the same
/// numbers, so the same bits), with every Scalar owned and disposed after its native call. TorchSharp's own step
/// passes temporary Scalars (β, 1 − β, √bias correction, ε, the step size) that a GC on another thread can free while
/// libtorch reads them (see <see cref="Scalars"/>): a long demo met it as "toFloat … Expected false to be true" in
/// Adam's add_. The optimizer objects, their state and checkpoints stay TorchSharp's.
/// </summary>
public static class SafeAdam
{
    public static void Step(optim.Optimizer optimizer)
    {
        var states = ((OptimizerHelper)optimizer).state_dict().State;
        using var noGrad = no_grad();
        var index = 0;
        foreach (var group in optimizer.ParamGroups.Cast<ParamGroup>())
        {
            var (o, decoupled) = group.Options switch
            {
                Adam.Options a => (new Knobs(a.LearningRate!.Value, a.beta1!.Value, a.beta2!.Value, a.eps!.Value, a.weight_decay!.Value, a.amsgrad!.Value, a.maximize!.Value), false),
                AdamW.Options w => (new Knobs(w.LearningRate!.Value, w.beta1!.Value, w.beta2!.Value, w.eps!.Value, w.weight_decay!.Value, w.amsgrad!.Value, w.maximize!.Value), true),
                _ => throw new EppoException($"SafeAdam: {optimizer.GetType().Name} is not Adam or AdamW"),
            };
            if (o.Amsgrad || o.Maximize) throw new EppoException("SafeAdam: amsgrad and maximize are not used here and not supported");
            foreach (var param in group.Parameters)
            {
                var state = states[index++];
                // One scope per parameter: a step's temporaries (the denominator, a decayed gradient) never add up over a model.
                using var scope = NewDisposeScope();
                var grad = param.grad;
                if (grad is null) continue;
                var (exp_avg, exp_avg_sq, step) = state switch
                {
                    Adam.State a => (a.exp_avg, a.exp_avg_sq, ++a.step),
                    AdamW.State w => (w.exp_avg, w.exp_avg_sq, ++w.step),
                    _ => throw new EppoException($"SafeAdam: unexpected state {state.GetType().Name}"),
                };
                if (decoupled)
                {
                    using var decay = (1 - o.Lr * o.WeightDecay).ToScalar();
                    param.mul_(decay);
                }
                var biasCorrection1 = 1 - Math.Pow(o.Beta1, step);
                var biasCorrection2 = 1 - Math.Pow(o.Beta2, step);
                if (!decoupled && o.WeightDecay != 0)
                {
                    using var decay = o.WeightDecay.ToScalar();
                    grad = grad.add(param, decay);
                }
                using var beta1 = o.Beta1.ToScalar();
                using var oneMinusBeta1 = (1 - o.Beta1).ToScalar();
                using var beta2 = o.Beta2.ToScalar();
                using var oneMinusBeta2 = (1 - o.Beta2).ToScalar();
                exp_avg.mul_(beta1).add_(grad, oneMinusBeta1);
                exp_avg_sq.mul_(beta2).addcmul_(grad, decoupled ? grad : grad.conj(), oneMinusBeta2);
                using var rootCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
                using var eps = o.Eps.ToScalar();
                using var denom = exp_avg_sq.sqrt();
                denom.div_(rootCorrection2).add_(eps, Scalars.One);
                using var stepSize = (-(o.Lr / biasCorrection1)).ToScalar();
                param.addcdiv_(exp_avg, denom, stepSize);
            }
        }
    }

    readonly record struct Knobs(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, bool Amsgrad, bool Maximize);
}
