using Eppo.Core.Evaluation;
using Eppo.Core.Tasks;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Core.Ppo;
using Eppo.Contracts;
using System.Text.Json;

namespace Eppo.Core.Training;

/// <summary>One rollout batch as the learner receives it: arrays only (it may have crossed a grain boundary).</summary>
public sealed record LearnerBatch(
    int Iteration,
    int[][] Prompts,
    int[][] Responses,
    float[] Scores,          // r from the reward function, (B)
    float[] EnergyRl,        // ΔE_RL: the policy's energy on its rollout, (B)
    float[] EnergySft,       // ΔE_SFT: the SFT model's energy on its own greedy answer, (B)
    float[]? ReferenceScores = null,  // r_ref: the reward source's score of that answer, (B); PAR only
    int[][]? ReferenceAnswers = null); // that answer's tokens, (B); the official energy definition only

/// <summary>
/// PPO with the method table's reward shaping (KL, length penalty, energy penalty, PAR): hosts actor, critic, the frozen
/// SFT policy for KL, both optimizers, the KL controller and the RM-score statistics of the length penalty.
/// </summary>
public sealed class PpoLearner : IDisposable
{
    readonly RunSpec spec;
    readonly TrainingMethod method;
    readonly TaskCodec codec;
    readonly DecoderModel actor, critic, reference;
    readonly optim.Optimizer actorOptimizer, criticOptimizer;
    readonly IKlController kl;
    readonly EnergyVariant energy;
    RunningMoments scoreMoments = new();
    // The spread scale's running statistics: ΔE_SFT per energy module, and the raw scores.
    RunningMoments[] energyMoments;
    RunningMoments rewardMoments = new();

    public int PolicyVersion { get; private set; }
    public int IterationsDone { get; private set; }

    public PpoLearner(RunSpec spec, TaskCodec codec, DecoderModel sft)
    {
        this.spec = spec;
        this.codec = codec;
        method = spec.TrainingMethod;
        energy = EnergyVariant.Of(spec);
        // The official definition reads every MLP linear's output energy in the learner's own passes; the generators
        // keep the run's probe site (ΔE_RL in the metrics and the alarm).
        var site = energy.Official ? EnergySite.MlpOutputs : EnergySites.Parse(spec.ProbeSite);
        actor = ModelFactory.CopyOf(sft, HeadKind.LanguageModel, spec.Seed, site);
        reference = ModelFactory.CopyOf(sft, HeadKind.LanguageModel, spec.Seed, site);
        reference.eval();
        foreach (var p in reference.parameters()) p.requires_grad = false;
        critic = ModelFactory.CopyOf(sft, HeadKind.Value, Seeds.Of(spec.Seed, SeedStream.CriticInit), site);
        actorOptimizer = optim.Adam(actor.parameters(), spec.ActorLr);
        criticOptimizer = optim.Adam(critic.parameters(), spec.CriticLr);
        energyMoments = [];
        kl = spec.KlTarget is { } target
            ? new AdaptiveKlController(spec.EffectiveKlBeta, target, spec.KlHorizon)
            : new FixedKlController(spec.EffectiveKlBeta);
    }

    public DecoderModel Actor => actor;

    /// <summary>Frees the models' native memory now (a retired learner grain), not when the GC gets to it.</summary>
    public void Dispose()
    {
        actorOptimizer.Dispose();
        criticOptimizer.Dispose();
        actor.Dispose();
        critic.Dispose();
        reference.Dispose();
    }

    public byte[] PolicyWeights() => ModelWeights.ToBytes(actor);

    public IterationMetrics Learn(LearnerBatch batch)
    {
        Finite.Require(batch.Scores, "reward", "score");
        Finite.Require(batch.EnergyRl, "policy energy", "generate");
        Finite.Require(batch.EnergySft, "SFT reference energy", "energy reference");
        var b = batch.Prompts.Length;
        if (batch.Responses.Length != b || batch.Scores.Length != b || batch.EnergyRl.Length != b || batch.EnergySft.Length != b)
            throw new EppoException($"learner: batch arrays disagree in length at iteration {batch.Iteration}");

        using var scope = NewDisposeScope();
        var seq = SequenceBatch.Build(batch.Prompts, batch.Responses, codec.EosId, codec.PadId);
        var mask = seq.ActionMask;                                                     // (B, R), EOS included
        Tensor oldLogProbs, refLogProbs, oldValues, entropy;
        IReadOnlyList<float[]> sftEnergy, readEnergy;
        using (no_grad())
        {
            var old = TeacherForcing.Score(actor, seq);
            oldLogProbs = old.LogProbs;                                                // (B, R)
            entropy = Masked.Mean(old.Entropy, mask);
            var sftReading = TeacherForcing.Score(reference, seq);                     // the frozen SFT model on the policy's answers
            refLogProbs = sftReading.LogProbs;                                         // (B, R)
            oldValues = TeacherForcing.Values(critic, seq);                            // (B, R)
            (sftEnergy, readEnergy) = Energies(batch, old, sftReading);
        }

        var shaped = Shape(batch, sftEnergy, readEnergy, out var penalty);             // (B)
        var beta = method.Kl ? kl.Value : 0.0;
        var rewards = RewardAssembly.Compute(tensor(shaped), oldLogProbs, refLogProbs, mask, beta); // (B, R)
        var (advantages, returns) = Gae.Compute(rewards, oldValues, mask, spec.Gamma, spec.Lambda);
        advantages = Masked.Whiten(advantages, mask);

        double policyLoss = 0, valueLoss = 0, clipFraction = 0;
        var steps = 0;
        var rng = new Random((int)(Seeds.Minibatches(spec.Seed, batch.Iteration) & 0x7fffffff));
        for (var epoch = 0; epoch < spec.PpoEpochs; epoch++)
        {
            var order = Enumerable.Range(0, b).ToArray();
            rng.Shuffle(order);
            foreach (var rows in order.Chunk(spec.MiniBatchSize))
            {
                using var step = NewDisposeScope();
                var index = tensor(rows.Select(r => (long)r).ToArray());
                var sub = Select(seq, index);
                var subMask = mask.index_select(0, index);

                var scores = TeacherForcing.Score(actor, sub);
                var pl = PolicyLoss.Clipped(scores.LogProbs, oldLogProbs.index_select(0, index), advantages.index_select(0, index), subMask, spec.ClipEps);
                actorOptimizer.zero_grad();
                pl.Loss.backward();
                nn.utils.clip_grad_norm_(actor.parameters(), 1.0);
                SafeAdam.Step(actorOptimizer);

                var values = TeacherForcing.Values(critic, sub);
                var vl = ValueLoss.Clipped(values, oldValues.index_select(0, index), returns.index_select(0, index), subMask, spec.ValueClipEps);
                criticOptimizer.zero_grad();
                vl.backward();
                nn.utils.clip_grad_norm_(critic.parameters(), 1.0);
                SafeAdam.Step(criticOptimizer);

                policyLoss += pl.Loss.item<float>();
                valueLoss += vl.item<float>();
                clipFraction += pl.ClipFraction.item<float>();
                steps++;
            }
        }

        // Sequence-level KL to the SFT policy: Σ_t (log π − log π_SFT) over the response, averaged over the batch.
        var sequenceKl = ((oldLogProbs - refLogProbs) * mask).sum(1).mean().item<float>();
        kl.Update(sequenceKl, b);
        PolicyVersion++;
        IterationsDone = batch.Iteration + 1;
        if (!double.IsFinite(policyLoss) || !double.IsFinite(valueLoss))
            throw new EppoException($"non-finite loss in stage 'learn', iteration {batch.Iteration}");

        return new IterationMetrics
        {
            Iteration = batch.Iteration,
            PolicyVersion = PolicyVersion,
            ProxyReward = batch.Scores.Average(),
            ShapedReward = shaped.Average(),
            EnergyRl = batch.EnergyRl.Average(),
            EnergyRlStd = Stats.PopulationStd(batch.EnergyRl),
            EnergySft = batch.EnergySft.Average(),
            EnergyPenalty = penalty.Average(),
            Kl = sequenceKl,
            KlBeta = beta,
            ResponseLength = batch.Responses.Average(r => r.Length),
            PolicyLoss = policyLoss / steps,
            ValueLoss = valueLoss / steps,
            ClipFraction = clipFraction / steps,
            Entropy = entropy.item<float>(),
        };
    }

    /// <summary>
    /// The sequence reward the method optimises, before the per-token KL term: the score plus each of the method's
    /// shaping terms in table order, then clipped to ±reward_clip.
    /// </summary>
    float[] Shape(LearnerBatch batch, IReadOnlyList<float[]> sftEnergy, IReadOnlyList<float[]> readEnergy, out float[] penalty)
    {
        if (energy.Spread)
        {
            if (energyMoments.Length == 0) energyMoments = sftEnergy.Select(_ => new RunningMoments()).ToArray();
            for (var m = 0; m < sftEnergy.Count; m++) energyMoments[m].Update(sftEnergy[m]);
            rewardMoments.Update(batch.Scores);
        }
        penalty = energy.Penalty(sftEnergy, readEnergy, energyMoments.Select(e => e.Std).ToArray(), rewardMoments.Std);
        var shaped = batch.Scores;
        foreach (var term in method.Shaping)
            shaped = term switch
            {
                ShapingTerm.EnergyPenalty => EnergyPenalty.Subtract(shaped, penalty, new EnergyPenaltyOptions(spec.Eta, spec.EnergyFloor, spec.RewardClip)),
                ShapingTerm.LengthPenalty => LengthPenalty.Apply(shaped, batch.Responses.Select(r => r.Length).ToArray(), spec.LengthScale, scoreMoments),
                ShapingTerm.ReferenceSigmoid => ReferenceSigmoid.Apply(shaped, batch.ReferenceScores ?? []),
                _ => throw new EppoException($"learner: method '{method.Name}' names shaping term {term}, which the learner does not know"),
            };
        return RewardClip.Apply(shaped, spec.RewardClip);
    }

    /// <summary>
    /// ΔE_SFT and the reading of the policy's answers, per energy module, as the variant says: the paper's one module
    /// (the pipeline's ΔE_SFT; ΔE_RL from generation, or the SFT model's energy on the same answers), or the official
    /// output energies (the SFT model on its own cached answers; the actor or the SFT model on the policy's).
    /// </summary>
    (IReadOnlyList<float[]> Sft, IReadOnlyList<float[]> Read) Energies(LearnerBatch batch, ResponseScores policy, ResponseScores sftOnPolicyAnswers)
    {
        if (!energy.Official)
            return ([batch.EnergySft], [energy.SftReader ? sftOnPolicyAnswers.MeanEnergy.cpu().data<float>().ToArray() : batch.EnergyRl]);
        if (batch.ReferenceAnswers is not { } answers || answers.Length != batch.Prompts.Length)
            throw new EppoException($"learner: energy_definition 'official' needs the SFT model's answer to each prompt (iteration {batch.Iteration})");
        var own = TeacherForcing.Score(reference, SequenceBatch.Build(batch.Prompts, answers, codec.EosId, codec.PadId)).MeanEnergy; // (B, M)
        var read = (energy.SftReader ? sftOnPolicyAnswers : policy).MeanEnergy;                                                   // (B, M)
        return (Modules(own), Modules(read));
    }

    /// <summary>(B, M) → M arrays of (B).</summary>
    static float[][] Modules(Tensor perModule) =>
        Enumerable.Range(0, (int)perModule.shape[1]).Select(m => perModule.select(1, m).contiguous().cpu().data<float>().ToArray()).ToArray();

    static SequenceBatch Select(SequenceBatch seq, Tensor index) => seq with
    {
        Tokens = seq.Tokens.index_select(0, index),
        AttentionMask = seq.AttentionMask.index_select(0, index),
        Positions = seq.Positions.index_select(0, index),
        ResponseMask = seq.ResponseMask.index_select(0, index),
        ActionMask = seq.ActionMask.index_select(0, index),
    };

    public LearnerState State => new(PolicyVersion, IterationsDone, kl.Value, scoreMoments.State,
        energyMoments.Length == 0 ? null : energyMoments.Select(e => e.State).ToArray(), energy.Spread ? rewardMoments.State : null);

    /// <summary>Writes actor, critic (each with its optimizer) and the learner state; atomic as a whole.</summary>
    public void Save(string dir)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(dir))!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(dir)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        // ModelStore metadata, so ModelStore.Load(dir/actor) rebuilds the policy for evaluation.
        // With the run's probe site, whatever the learner's own passes read (the official energy's channels), so an
        // evaluation or an export of the checkpoint measures what the run reports.
        var config = (actor.Config with { ProbeSite = EnergySites.Parse(spec.ProbeSite) }).ToJson();
        Checkpoint.Save(Path.Combine(temp, "actor"), actor, actorOptimizer, new ModelStore.Metadata(config, actor.Kind, []));
        Checkpoint.Save(Path.Combine(temp, "critic"), critic, criticOptimizer, new ModelStore.Metadata(config, critic.Kind, []));
        File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(State));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.Move(temp, dir);
    }

    public void Load(string dir)
    {
        var stateFile = Path.Combine(dir, StateFile);
        if (!File.Exists(stateFile)) throw new EppoException($"{dir}: not a complete learner checkpoint (no {StateFile})");
        Checkpoint.Load(Path.Combine(dir, "actor"), actor, actorOptimizer);
        Checkpoint.Load(Path.Combine(dir, "critic"), critic, criticOptimizer);
        var state = JsonSerializer.Deserialize<LearnerState>(File.ReadAllText(stateFile))
                    ?? throw new EppoException($"{stateFile}: empty learner state");
        PolicyVersion = state.PolicyVersion;
        IterationsDone = state.IterationsDone;
        if (kl is AdaptiveKlController adaptive) adaptive.Value = state.KlBeta;
        scoreMoments = new RunningMoments(state.ScoreMoments);
        energyMoments = state.EnergyMoments?.Select(e => new RunningMoments(e)).ToArray() ?? [];
        rewardMoments = state.RewardMoments is { } r ? new RunningMoments(r) : new RunningMoments();
    }

    public const string StateFile = "learner.json";
}
