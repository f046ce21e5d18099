using Eppo.Contracts.Messages;
using Eppo.Contracts;
using Eppo.Core.Adapters;
using Eppo.Core.Checkpoints;
using Eppo.Core.Evaluation;
using Eppo.Core.Model;
using Eppo.Core.Ppo;
using Eppo.Core.Tasks;
using Eppo.Core.Preparation;

namespace Eppo.Core.Learning;

/// <summary>
/// PPO with the method table's reward shaping, composed of its pieces: the models (<see cref="ILearnerModels"/>),
/// the <see cref="ExperienceMaker"/> (passes, shaping through <see cref="RewardShaper"/>, rewards, advantages), the
/// epochs (<see cref="PpoEpochs"/>, each step a <see cref="TrainerStep"/>), the KL controller, and
/// <see cref="LearnerCheckpoint"/>.
/// </summary>
public sealed class PpoLearner : IDisposable
{
    readonly RunSpec spec;
    readonly TrainingMethod method;
    readonly ILearnerModels models;
    readonly RewardShaper shaper;
    readonly ExperienceMaker maker;
    readonly IKlController kl;

    public int PolicyVersion { get; private set; }
    public int IterationsDone { get; private set; }

    /// <param name="sft">The SFT policy. Full fine-tuning copies it and releases the lease; adapters keep it as their frozen base.</param>
    /// <param name="basePath">Where the SFT model lives (adapter checkpoints name it as their base).</param>
    public PpoLearner(RunSpec spec, TaskCodec codec, FrozenModel sft, string basePath)
    {
        this.spec = spec;
        method = spec.TrainingMethod;
        var energy = EnergyVariant.Of(spec);
        // The official definition reads every MLP linear's output energy in the learner's own passes; the generators
        // keep the run's probe site (ΔE_RL in the metrics and the alarm).
        var reportedSite = EnergySites.Parse(spec.ProbeSite);
        var site = energy.Official ? EnergySite.MlpOutputs : reportedSite;
        if (spec.Model.Adapter is { } adapter)
            try
            {
                models = new AdapterModels(spec, sft, LoraConfig.Of(adapter), site, reportedSite, basePath);
            }
            catch
            {
                sft.Dispose();
                throw;
            }
        else
            using (sft) models = new FullModels(spec, sft.Model, site, reportedSite);
        shaper = new RewardShaper(spec, energy);
        maker = new ExperienceMaker(spec, codec, models, energy, shaper);
        kl = spec.KlTarget is { } target
            ? new AdaptiveKlController(spec.EffectiveKlBeta, target, spec.KlHorizon)
            : new FixedKlController(spec.EffectiveKlBeta);
    }

    /// <summary>A learner on an SFT model the caller keeps owning (benchmarks, tests).</summary>
    public PpoLearner(RunSpec spec, TaskCodec codec, DecoderModel sft)
        : this(spec, codec, FrozenModel.Borrow(sft), "")
    {
    }

    public ILearnerModels Models => models;

    /// <summary>Frees the models' native memory now (a retired learner grain), not when the GC gets to it.</summary>
    public void Dispose() => models.Dispose();

    /// <summary>
    /// The current policy version as safetensors bytes in chunks of <paramref name="chunkBytes"/>, hashed as written:
    /// every tensor of a fully fine-tuned policy, or the adapter alone. No single array holds it.
    /// </summary>
    public ChunkedBytes PolicyChunks(int chunkBytes = 64 << 20)
    {
        var bytes = new ChunkedBytes(chunkBytes);
        SafetensorsWriter.Plan(models.PolicyTensors()).WriteTo(bytes);
        bytes.Flush();
        return bytes;
    }

    public IterationMetrics Learn(LearnerBatch batch) => Learn(batch, ReplicaShare.Whole(batch.Rows), WholeBatch.Instance);

    /// <summary>
    /// One iteration as data-parallel replica <paramref name="share"/>: the experience and the steps on its rows,
    /// batch-wide statistics and every step's gradients summed with the other replicas through <paramref name="reduce"/>,
    /// so every replica applies the same update and reports the same metrics.
    /// </summary>
    public IterationMetrics Learn(LearnerBatch batch, ReplicaShare share, IBatchReduction reduce)
    {
        if (share.BatchRows != batch.Rows) throw new EppoException($"learner: replica share of {share.BatchRows} rows for a batch of {batch.Rows} (iteration {batch.Iteration})");
        using var scope = NewDisposeScope();
        var hook = share.IsWhole ? null : new GradientAverage(reduce);
        models.ActorStep.Hook = models.CriticStep.Hook = hook;
        var experience = maker.Make(batch, method.Kl ? kl.Value : 0.0, share, reduce);
        var losses = PpoEpochs.Run(spec, models, experience, batch.Iteration, share, reduce);
        kl.Update(experience.SequenceKl, batch.Rows);
        PolicyVersion++;
        IterationsDone = batch.Iteration + 1;
        if (!double.IsFinite(losses.Policy) || !double.IsFinite(losses.Value))
            throw new EppoException($"non-finite loss in stage 'learn', iteration {batch.Iteration}");

        return new IterationMetrics
        {
            Iteration = batch.Iteration,
            PolicyVersion = PolicyVersion,
            ProxyReward = batch.Scores.Average(),
            ShapedReward = experience.ShapedScores.Average(),
            EnergyRl = batch.EnergyRl.Average(),
            EnergyRlStd = Stats.PopulationStd(batch.EnergyRl),
            EnergySft = batch.EnergySft.Average(),
            EnergyPenalty = experience.EnergyPenalty.Average(),
            Kl = experience.SequenceKl,
            KlBeta = experience.KlBeta,
            ResponseLength = batch.Responses.Average(r => r.Length),
            PolicyLoss = losses.Policy,
            ValueLoss = losses.Value,
            ClipFraction = losses.ClipFraction,
            Entropy = experience.Entropy,
        };
    }

    /// <summary>SHA-256 over every trainable part's tensors (name, then bytes, in order): data-parallel replicas compare it at each commit.</summary>
    public string ParameterHash()
    {
        using var scope = NewDisposeScope();
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var part in models.Parts)
            foreach (var (name, value) in part.Module.state_dict())
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{part.Name}/{name}"));
                hash.AppendData(value.contiguous().cpu().bytes);
            }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public LearnerState State
    {
        get
        {
            var (scores, energy, rewards) = shaper.State;
            return new LearnerState(PolicyVersion, IterationsDone, kl.Value, scores, energy, rewards);
        }
    }

    /// <summary>Writes the models' trainable parts (each with its optimizer) and the learner state; atomic as a whole.</summary>
    public void Save(string dir) => LearnerCheckpoint.Save(dir, models.Parts, State);

    public void Load(string dir) => Apply(LearnerCheckpoint.Load(dir, models.Parts));

    /// <summary>The trainable state in memory (<see cref="LearnerSnapshot"/>), to put back with <see cref="Restore"/>.</summary>
    public LearnerSnapshot Snapshot() => LearnerSnapshot.Take(models.Parts, State);

    public void Restore(LearnerSnapshot snapshot) => Apply(snapshot.Restore(models.Parts));

    void Apply(LearnerState state)
    {
        PolicyVersion = state.PolicyVersion;
        IterationsDone = state.IterationsDone;
        if (kl is AdaptiveKlController adaptive) adaptive.Value = state.KlBeta;
        shaper.Restore(state);
    }
}
