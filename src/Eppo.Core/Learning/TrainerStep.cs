
namespace Eppo.Core.Learning;

/// <summary>
/// One optimizer step on one loss: zero the gradients, backward, the gradient hook, clip the global norm, Adam.
/// </summary>
public sealed class TrainerStep(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, optim.Optimizer optimizer, double maxGradNorm = 1.0)
{
    public IGradientHook? Hook { get; set; }

    public IReadOnlyList<TorchSharp.Modules.Parameter> Parameters => parameters;

    public optim.Optimizer Optimizer => optimizer;

    public void Apply(Tensor loss)
    {
        optimizer.zero_grad();
        loss.backward();
        Hook?.OnGradients(parameters);
        nn.utils.clip_grad_norm_(parameters, maxGradNorm);
        SafeAdam.Step(optimizer);
    }
}
