using Eppo.Core.Model;

namespace Eppo.Core.Learning;

/// <summary>
/// One iteration's experience as the PPO epochs read it (OpenRLHF's Experience): B rows of prompt + response, R
/// response columns. Tensors belong to the caller's dispose scope; the arrays are for shaping and metrics.
/// </summary>
public sealed record Experience
{
    /// <summary>Tokens, attention mask, positions (B, T); ResponseMask, ActionMask (B, R).</summary>
    public required SequenceBatch Sequences { get; init; }

    /// <summary>log π_old of each response token (B, R): the policy that sampled, teacher-forced before the update.</summary>
    public required Tensor BehaviourLogProbs { get; init; }

    /// <summary>log π_SFT of each response token (B, R): the frozen SFT policy.</summary>
    public required Tensor ReferenceLogProbs { get; init; }

    /// <summary>V_old (B, R): the critic's value of the state before each response token.</summary>
    public required Tensor Values { get; init; }

    /// <summary>Per-token reward (B, R): −β·KL on every action, plus the shaped score at the last one.</summary>
    public required Tensor Rewards { get; init; }

    /// <summary>GAE advantages (B, R), whitened over the whole batch.</summary>
    public required Tensor Advantages { get; init; }

    /// <summary>Value targets (B, R): raw advantages + V_old.</summary>
    public required Tensor Returns { get; init; }

    /// <summary>ΔE_SFT per energy module, M × (every row of the batch): what the penalty compares against.</summary>
    public required IReadOnlyList<float[]> SftEnergy { get; init; }

    /// <summary>The reading of the policy's answers per energy module, M × (every row of the batch).</summary>
    public required IReadOnlyList<float[]> ReadEnergy { get; init; }

    /// <summary>The sequence reward the method optimises, before per-token KL, for every row of the batch (a replica's and the others').</summary>
    public required float[] ShapedScores { get; init; }

    /// <summary>The energy penalty before η for every row of the batch, for metrics.</summary>
    public required float[] EnergyPenalty { get; init; }

    /// <summary>Mean over the batch of Σ_t (log π_old − log π_SFT): the sequence KL the controller reads.</summary>
    public required float SequenceKl { get; init; }

    /// <summary>The policy's mean next-token entropy over the batch's actions.</summary>
    public required float Entropy { get; init; }

    /// <summary>β of the per-token KL term the rewards carry.</summary>
    public required double KlBeta { get; init; }

    public int Rows => Sequences.BatchSize;

    /// <summary>The minibatch of rows <paramref name="index"/> (int64, (b)): every (B, …) tensor indexed alike.</summary>
    public Minibatch Select(Tensor index) => new(
        Sequences with
        {
            Tokens = Sequences.Tokens.index_select(0, index),
            AttentionMask = Sequences.AttentionMask.index_select(0, index),
            Positions = Sequences.Positions.index_select(0, index),
            ResponseMask = Sequences.ResponseMask.index_select(0, index),
            ActionMask = Sequences.ActionMask.index_select(0, index),
        },
        BehaviourLogProbs.index_select(0, index),
        Values.index_select(0, index),
        Advantages.index_select(0, index),
        Returns.index_select(0, index));
}
