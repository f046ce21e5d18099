using Eppo.Core.Model;

namespace Eppo.Core.Learning;

/// <summary>The rows of one PPO minibatch: what the policy and value losses read, (b, …) each.</summary>
public sealed record Minibatch(SequenceBatch Sequences, Tensor BehaviourLogProbs, Tensor Values, Tensor Advantages, Tensor Returns)
{
    public Tensor ActionMask => Sequences.ActionMask;
}
