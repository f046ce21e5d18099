namespace Eppo.Core.Learning;

/// <summary>
/// One optimizer step on one loss: zero the gradients, backward, the gradient hook, clip the global norm, Adam.
/// </summary>
public sealed class TrainerStep(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, optim.Optimizer optimizer, double maxGradNorm = 1.0)
{
    public IGradientHook? Hook { get; set; }

    public IReadOnlyList<TorchSharp.Modules.Parameter> Parameters => parameters;

    public optim.Optimizer Optimizer => optimizer;

    /// <param name="loss">The loss over this learner's rows of the minibatch; null for a data-parallel replica that holds none of them (the hook brings the others' gradients).</param>
    /// <param name="tokens">How many tokens the loss averages over (the hook's weight).</param>
    public void Apply(Tensor? loss, float tokens = 1)
    {
        if (loss is null && Hook is null) throw new InvalidOperationException("a trainer step without a loss needs a gradient hook to bring the gradients");
        optimizer.zero_grad();
        loss?.backward();
        Hook?.OnGradients(parameters, loss is null ? 0 : tokens);
        nn.utils.clip_grad_norm_(parameters, maxGradNorm);
        SafeAdam.Step(optimizer);
    }
}
