using Eppo.Contracts;
using Eppo.Core.Adapters;
using Eppo.Core.Model;
using Eppo.Core.Preparation;

namespace Eppo.Core.Learning;

/// <summary>
/// LoRA on one frozen base (verl's and TRL's layout): the policy is the base plus an adapter, the reference is the same
/// base with the adapter off (no copy), and the critic is a second adapter with a value head on that base — or a whole
/// critic model of its own (model.adapter.critic "separate"). Only adapters and heads are trained, so only they are in
/// Adam, in checkpoints and on the wire.
/// </summary>
public sealed class AdapterModels : ILearnerModels
{
    readonly FrozenModel frozenBase;
    readonly DecoderModel baseModel;
    readonly LoraAdapter policy;
    readonly AdapterCritic? adapterCritic;
    readonly DecoderModel? separateCritic;
    readonly optim.Optimizer actorOptimizer, criticOptimizer;
    readonly EnergySite site;

    /// <param name="frozenBase">A lease on the SFT model: the base. This takes it over (disposes it).</param>
    /// <param name="site">Where the learner's own passes read energy.</param>
    /// <param name="basePath">Where the base lives, written into checkpoints so an evaluation can rebuild the policy.</param>
    public AdapterModels(RunSpec spec, FrozenModel frozenBase, LoraConfig config, EnergySite site, EnergySite reportedSite, string basePath)
    {
        this.frozenBase = frozenBase;
        this.site = site;
        baseModel = frozenBase.Model;
        policy = new LoraAdapter(config, baseModel, Seeds.Of(spec.Seed, SeedStream.PolicyAdapterInit));
        IEnumerable<TorchSharp.Modules.Parameter> criticParameters;
        nn.Module critic;
        if (spec.Model.Adapter?.Critic == "separate")
        {
            using var wide = baseModel.WeightDtype == ScalarType.Float32 ? null : Widened(baseModel);
            separateCritic = ModelFactory.CopyOf(wide ?? baseModel, HeadKind.Value, Seeds.Of(spec.Seed, SeedStream.CriticInit), site);
            critic = separateCritic;
            criticParameters = separateCritic.parameters();
        }
        else
        {
            adapterCritic = new AdapterCritic(config, baseModel, Seeds.Of(spec.Seed, SeedStream.CriticAdapterInit), Seeds.Of(spec.Seed, SeedStream.CriticInit));
            critic = adapterCritic;
            criticParameters = adapterCritic.parameters();
        }
        actorOptimizer = optim.Adam(policy.parameters(), spec.ActorLr);
        criticOptimizer = optim.Adam(criticParameters, spec.CriticLr);
        ActorStep = new TrainerStep([.. policy.parameters()], actorOptimizer);
        CriticStep = new TrainerStep([.. criticParameters], criticOptimizer);
        var baseConfig = (baseModel.Config with { ProbeSite = reportedSite }).ToJson();
        var reference = new AdapterReference(basePath, new PeftConfig(config, FanInFanOut: baseModel.Config.Family == ModelFamily.Gpt2).ToJson());
        Parts =
        [
            new CheckpointPart("actor", policy, actorOptimizer, new ModelStore.Metadata(baseConfig, HeadKind.LanguageModel, [], Adapter: reference)),
            new CheckpointPart("critic", critic, criticOptimizer,
                new ModelStore.Metadata(separateCritic?.Config.ToJson() ?? baseConfig, HeadKind.Value, [], Adapter: separateCritic is null ? reference : null)),
        ];
    }

    public TrainerStep ActorStep { get; }
    public TrainerStep CriticStep { get; }
    public IReadOnlyList<CheckpointPart> Parts { get; }

    public LoraAdapter PolicyAdapter => policy;

    public ResponseScores Policy(SequenceBatch batch, bool entropy = false) => TeacherForcing.Score(baseModel, batch, policy, site, entropy);

    public ResponseScores Reference(SequenceBatch batch) => TeacherForcing.Score(baseModel, batch, adapter: null, site, entropy: false);

    public Tensor Values(SequenceBatch batch) =>
        adapterCritic?.Values(baseModel, batch) ?? TeacherForcing.Values(separateCritic!, batch);

    /// <summary>A policy version on the wire is its adapter alone.</summary>
    public IEnumerable<(string Name, Tensor Value)> PolicyTensors() => policy.state_dict().Select(kv => (kv.Key, kv.Value));

    public void Dispose()
    {
        actorOptimizer.Dispose();
        criticOptimizer.Dispose();
        policy.Dispose();
        adapterCritic?.Dispose();
        separateCritic?.Dispose();
        frozenBase.Dispose();
    }

    /// <summary>An fp32 copy of a 16-bit base, for a separate critic that trains every weight.</summary>
    static DecoderModel Widened(DecoderModel source)
    {
        var copy = DecoderModel.ToOverwrite(source.Config, source.Kind);
        using var noGrad = no_grad();
        var from = source.state_dict();
        foreach (var (name, parameter) in copy.state_dict()) parameter.copy_(from[name]);
        return copy;
    }
}
