using Eppo.Contracts;
using Eppo.Contracts.Messages;
using Eppo.Core.Model;
using Eppo.Core.Ppo;
using Eppo.Core.Tasks;

namespace Eppo.Core.Learning;

/// <summary>
/// Makes an <see cref="Experience"/> from a rollout batch: the teacher-forced passes (policy, SFT reference, critic,
/// energies), the method's shaped score, per-token rewards with −β·KL, GAE, and the batch-global statistics
/// (whitened advantages, mean sequence KL, entropy) through an <see cref="IBatchReduction"/>. A data-parallel replica
/// makes the experience of its share of the rows; the shaping reads the whole batch on every replica (the per-row
/// energies its passes read are gathered), so every replica's shaping statistics stay the same.
/// </summary>
public sealed class ExperienceMaker(RunSpec spec, TaskCodec codec, ILearnerModels models, EnergyVariant energy, RewardShaper shaper)
{
    /// <summary>
    /// The experience of <paramref name="share"/>'s rows of <paramref name="batch"/>, its rewards carrying
    /// −<paramref name="klBeta"/>·KL per token, its statistics over the whole batch through <paramref name="reduce"/>.
    /// Tensors land in the caller's scope.
    /// </summary>
    public Experience Make(LearnerBatch batch, double klBeta, ReplicaShare share, IBatchReduction reduce)
    {
        Validate(batch);
        var rows = share.Rows;
        var seq = SequenceBatch.Build(batch.Prompts[rows], batch.Responses[rows], codec.EosId, codec.PadId);
        var mask = seq.ActionMask;                                                     // (B, R), EOS included
        Tensor behaviour, reference, values;
        float entropy;
        IReadOnlyList<float[]> sftEnergy, readEnergy;
        using (no_grad())
        {
            var policy = models.Policy(seq, entropy: true);
            // The policy that sampled: this one, or (overlap) the version before it, whose log-probs came with the rollout.
            behaviour = batch.BehaviourLogProbs is { } sampled ? Padded(sampled[rows], mask) : policy.LogProbs; // (B, R)
            entropy = BatchStatistics.MaskedMean(policy.Entropy!, mask, reduce);
            var sftReading = models.Reference(seq);                                    // the frozen SFT policy on the policy's answers
            reference = sftReading.LogProbs;                                           // (B, R)
            values = models.Values(seq);                                               // (B, R)
            (sftEnergy, readEnergy) = Energies(batch, policy, sftReading, reduce);
        }

        var (shaped, penalty) = shaper.Shape(batch, sftEnergy, readEnergy);            // (whole batch) each
        var rewards = RewardAssembly.Compute(tensor(shaped[rows], device: mask.device), behaviour, reference, mask, klBeta); // (B, R)
        var (advantages, returns) = Gae.Compute(rewards, values, mask, spec.Gamma, spec.Lambda);
        return new Experience
        {
            Sequences = seq,
            BehaviourLogProbs = behaviour,
            ReferenceLogProbs = reference,
            Values = values,
            Rewards = rewards,
            Advantages = BatchStatistics.Whiten(advantages, mask, reduce),
            Returns = returns,
            SftEnergy = sftEnergy,
            ReadEnergy = readEnergy,
            ShapedScores = shaped,
            EnergyPenalty = penalty,
            SequenceKl = BatchStatistics.MeanRowSum(behaviour - reference, mask, reduce),
            Entropy = entropy,
            KlBeta = klBeta,
        };
    }

    /// <summary>
    /// ΔE_SFT and the reading of the policy's answers, per energy module, as the variant says: the paper's one module
    /// (the pipeline's ΔE_SFT; ΔE_RL from generation, or the SFT model's energy on the same answers), or the official
    /// output energies (the SFT model on its own answers, which the energy reference caches per prompt; the policy or
    /// the SFT model on the policy's).
    /// </summary>
    (IReadOnlyList<float[]> Sft, IReadOnlyList<float[]> Read) Energies(LearnerBatch batch, ResponseScores policy, ResponseScores sftOnPolicyAnswers, IBatchReduction reduce)
    {
        // ΔE_RL is the generators' reading of their own answers; with overlap the answers come from the previous version,
        // so the learner reads the current policy's energy on them in its own teacher-forced pass (the official code's
        // place for it).
        if (!energy.Official)
            return ([batch.EnergySft], [energy.SftReader ? reduce.Gather(sftOnPolicyAnswers.MeanEnergy.cpu().data<float>().ToArray())
                : batch.BehaviourLogProbs is not null ? reduce.Gather(policy.MeanEnergy.cpu().data<float>().ToArray())
                : batch.EnergyRl]);
        if (batch.ReferenceModuleEnergies is not { Length: > 0 } own || own.Any(m => m.Length != batch.Rows))
            throw new EppoException($"learner: energy_definition 'official' needs the SFT model's energy per module on its answer to each prompt (iteration {batch.Iteration})");
        var read = (energy.SftReader ? sftOnPolicyAnswers : policy).MeanEnergy;                                        // (B, M)
        return (own, Modules(read).Select(reduce.Gather).ToArray());
    }

    /// <summary>Per-row log-probs (each as long as its response) → (B, R) on the mask's device, zero past each response.</summary>
    static Tensor Padded(float[][] rows, Tensor mask)
    {
        var width = (int)mask.shape[1];
        var values = new float[rows.Length * width];
        for (var b = 0; b < rows.Length; b++) rows[b].CopyTo(values, b * width);
        return tensor(values, [rows.Length, width], device: mask.device);
    }

    /// <summary>Throws naming the first non-finite input or a length that disagrees with the prompts'.</summary>
    static void Validate(LearnerBatch batch)
    {
        Finite.Require(batch.Scores, "reward", "score");
        Finite.Require(batch.EnergyRl, "policy energy", "generate");
        Finite.Require(batch.EnergySft, "SFT reference energy", "energy reference");
        var rows = batch.Rows;
        if (batch.Responses.Length != rows || batch.Scores.Length != rows || batch.EnergyRl.Length != rows || batch.EnergySft.Length != rows)
            throw new EppoException($"learner: batch arrays disagree in length at iteration {batch.Iteration}");
        if (batch.BehaviourLogProbs is { } sampled)
        {
            if (sampled.Length != rows || sampled.Where((row, b) => row.Length != batch.Responses[b].Length).Any())
                throw new EppoException($"learner: the rollout's log-probs do not match its responses at iteration {batch.Iteration}");
            foreach (var row in sampled) Finite.Require(row, "behaviour log-prob", "generate");
        }
    }

    /// <summary>(B, M) → M arrays of (B).</summary>
    static float[][] Modules(Tensor perModule) =>
        Enumerable.Range(0, (int)perModule.shape[1]).Select(m => perModule.select(1, m).contiguous().cpu().data<float>().ToArray()).ToArray();
}
