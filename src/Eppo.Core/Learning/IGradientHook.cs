namespace Eppo.Core.Learning;

/// <summary>
/// Called between backward and the optimizer step with the parameters whose gradients are ready (none when this
/// replica held no row of the minibatch) and the number of tokens the loss averaged over: where a data-parallel learner
/// averages gradients across its replicas before every replica clips and steps alike.
/// </summary>
public interface IGradientHook
{
    void OnGradients(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, float tokens);
}
