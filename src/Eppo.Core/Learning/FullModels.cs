using Eppo.Contracts;
using Eppo.Core.Model;
using Eppo.Core.Preparation;

namespace Eppo.Core.Learning;

/// <summary>
/// Full fine-tuning: actor and critic are whole copies of the SFT model (the critic with a value head of its own
/// seeded init), each with its Adam, and a third frozen copy is the reference.
/// </summary>
public sealed class FullModels : ILearnerModels
{
    readonly DecoderModel actor, reference, critic;
    readonly optim.Optimizer actorOptimizer, criticOptimizer;

    /// <param name="site">Where the learner's own passes read energy (the official variant reads every MLP linear).</param>
    /// <param name="reportedSite">The run's probe site, saved in the checkpoint so an evaluation measures what the run reports.</param>
    public FullModels(RunSpec spec, DecoderModel sft, EnergySite site, EnergySite reportedSite)
    {
        actor = ModelFactory.CopyOf(sft, HeadKind.LanguageModel, spec.Seed, site);
        reference = ModelFactory.CopyOf(sft, HeadKind.LanguageModel, spec.Seed, site);
        reference.eval();
        foreach (var p in reference.parameters()) p.requires_grad = false;
        critic = ModelFactory.CopyOf(sft, HeadKind.Value, Seeds.Of(spec.Seed, SeedStream.CriticInit), site);
        actorOptimizer = optim.Adam(actor.parameters(), spec.ActorLr);
        criticOptimizer = optim.Adam(critic.parameters(), spec.CriticLr);
        ActorStep = new TrainerStep([.. actor.parameters()], actorOptimizer);
        CriticStep = new TrainerStep([.. critic.parameters()], criticOptimizer);
        var config = (actor.Config with { ProbeSite = reportedSite }).ToJson();
        Parts =
        [
            new CheckpointPart("actor", actor, actorOptimizer, new ModelStore.Metadata(config, actor.Kind, [])),
            new CheckpointPart("critic", critic, criticOptimizer, new ModelStore.Metadata(config, critic.Kind, [])),
        ];
    }

    public TrainerStep ActorStep { get; }
    public TrainerStep CriticStep { get; }
    public IReadOnlyList<CheckpointPart> Parts { get; }

    public ResponseScores Policy(SequenceBatch batch, bool entropy = false) => TeacherForcing.Score(actor, batch, entropy: entropy);

    public ResponseScores Reference(SequenceBatch batch) => TeacherForcing.Score(reference, batch, entropy: false);

    public Tensor Values(SequenceBatch batch) => TeacherForcing.Values(critic, batch);

    public IEnumerable<(string Name, Tensor Value)> PolicyTensors() => actor.state_dict().Select(kv => (kv.Key, kv.Value));

    /// <summary>Frees the models' native memory now (a retired learner grain), not when the GC gets to it.</summary>
    public void Dispose()
    {
        actorOptimizer.Dispose();
        criticOptimizer.Dispose();
        actor.Dispose();
        critic.Dispose();
        reference.Dispose();
    }
}
