using Eppo.Contracts.Messages;
using Eppo.Contracts;
using Eppo.Core.Ppo;

namespace Eppo.Core.Learning;

/// <summary>
/// The method table's shaping, in one place: the sequence reward a method optimises is the score plus each of its
/// shaping terms in table order (energy penalty, length penalty, PAR's sigmoid), then clipped to ±reward_clip. Holds
/// the running statistics the terms read (RM scores for the length penalty; ΔE_SFT per module and raw scores for the
/// energy's spread scale).
/// </summary>
public sealed class RewardShaper(RunSpec spec, EnergyVariant energy)
{
    readonly TrainingMethod method = spec.TrainingMethod;
    RunningMoments scoreMoments = new();
    RunningMoments[] energyMoments = [];
    RunningMoments rewardMoments = new();

    /// <summary>sftEnergy, readEnergy: M × (B) → the shaped score (B) and the energy penalty before η (B).</summary>
    public (float[] Shaped, float[] Penalty) Shape(LearnerBatch batch, IReadOnlyList<float[]> sftEnergy, IReadOnlyList<float[]> readEnergy)
    {
        if (energy.Spread)
        {
            if (energyMoments.Length == 0) energyMoments = sftEnergy.Select(_ => new RunningMoments()).ToArray();
            for (var m = 0; m < sftEnergy.Count; m++) energyMoments[m].Update(sftEnergy[m]);
            rewardMoments.Update(batch.Scores);
        }
        var penalty = energy.Penalty(sftEnergy, readEnergy, energyMoments.Select(e => e.Std).ToArray(), rewardMoments.Std);
        var shaped = batch.Scores;
        foreach (var term in method.Shaping)
            shaped = term switch
            {
                ShapingTerm.EnergyPenalty => EnergyPenalty.Subtract(shaped, penalty, new EnergyPenaltyOptions(spec.Eta, spec.EnergyFloor, spec.RewardClip)),
                ShapingTerm.LengthPenalty => LengthPenalty.Apply(shaped, batch.Responses.Select(r => r.Length).ToArray(), spec.LengthScale, scoreMoments),
                ShapingTerm.ReferenceSigmoid => ReferenceSigmoid.Apply(shaped, batch.ReferenceScores ?? []),
                _ => throw new EppoException($"learner: method '{method.Name}' names shaping term {term}, which the learner does not know"),
            };
        return (RewardClip.Apply(shaped, spec.RewardClip), penalty);
    }

    public (RunningMomentsState Scores, RunningMomentsState[]? Energy, RunningMomentsState? Rewards) State =>
        (scoreMoments.State, energyMoments.Length == 0 ? null : energyMoments.Select(e => e.State).ToArray(), energy.Spread ? rewardMoments.State : null);

    public void Restore(LearnerState state)
    {
        scoreMoments = new RunningMoments(state.ScoreMoments);
        energyMoments = state.EnergyMoments?.Select(e => new RunningMoments(e)).ToArray() ?? [];
        rewardMoments = state.RewardMoments is { } r ? new RunningMoments(r) : new RunningMoments();
    }
}
