using Eppo.Core.Model;

namespace Eppo.Core.Learning;

/// <summary>
/// The models one learner reads and trains: the policy, the frozen SFT policy it is compared with, and the critic.
/// Full fine-tuning holds three models; adapters hold one frozen base that serves all three.
/// </summary>
public interface ILearnerModels : IDisposable
{
    /// <summary>The policy's teacher-forced scores of the responses (gradients flow when enabled); the entropy only when asked for.</summary>
    ResponseScores Policy(SequenceBatch batch, bool entropy = false);

    /// <summary>The frozen SFT policy's scores of the same responses (no entropy).</summary>
    ResponseScores Reference(SequenceBatch batch);

    /// <summary>V (B, R): the critic's value of the state before each response token.</summary>
    Tensor Values(SequenceBatch batch);

    /// <summary>One optimizer step of the policy's trainable parameters.</summary>
    TrainerStep ActorStep { get; }

    /// <summary>One optimizer step of the critic's trainable parameters.</summary>
    TrainerStep CriticStep { get; }

    /// <summary>What a checkpoint holds of the models, in order.</summary>
    IReadOnlyList<CheckpointPart> Parts { get; }

    /// <summary>The tensors a generator loads to become the current policy, under their state-dict names.</summary>
    IEnumerable<(string Name, Tensor Value)> PolicyTensors();
}

/// <summary>A trainable part of a learner checkpoint: a module, its optimizer, and the metadata that rebuilds it.</summary>
public sealed record CheckpointPart(string Name, nn.Module Module, optim.Optimizer Optimizer, object Metadata);
