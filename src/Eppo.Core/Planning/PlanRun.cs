using Eppo.Contracts;
using Eppo.Core.Adapters;
using Eppo.Core.Model;
using Eppo.Core.Ppo;

namespace Eppo.Core.Planning;

/// <summary>
/// What of a run spec decides memory and traffic: batch and minibatch, how many generators and scorer chunks, how many
/// reward models score, prompt and response lengths, LoRA (and where its critic lives), the base's dtype, the probe
/// sites, how generators sample, and the energy variant's and PAR's extra traffic.
/// </summary>
public sealed record PlanRun
{
    public required int BatchSize { get; init; }
    public required int MiniBatchSize { get; init; }
    public required int Generators { get; init; }
    public required int Scorers { get; init; }

    /// <summary>Reward models scoring each response (0 when the task's gold judge scores).</summary>
    public required int RewardModels { get; init; }

    public required int PromptTokens { get; init; }
    public required int NewTokens { get; init; }

    /// <summary>LoRA on a frozen base; null = full fine-tuning.</summary>
    public LoraConfig? Lora { get; init; }

    /// <summary>With LoRA: a whole fp32 critic model (model.adapter.critic "separate") instead of a second adapter.</summary>
    public bool SeparateCritic { get; init; }

    /// <summary>The frozen base's weights (16-bit only with LoRA).</summary>
    public ScalarType BaseDtype { get; init; } = ScalarType.Float32;

    /// <summary>Where generators read energy (the run's probe site) and where the learner's passes read it.</summary>
    public EnergySite ProbeSite { get; init; } = EnergySite.DownProj;

    public EnergySite LearnerSite { get; init; } = EnergySite.DownProj;

    public bool Sample { get; init; } = true;
    public bool TopK { get; init; }
    public bool TopP { get; init; }

    /// <summary>The official energy definition: the learner also reads the SFT model on its own answers, which travel to it.</summary>
    public bool ReferenceAnswers { get; init; }

    /// <summary>PAR: the SFT answers are scored too.</summary>
    public bool ScoresReferenceAnswers { get; init; }

    public int Rows => BatchSize;
    public int Tokens => PromptTokens + NewTokens;

    /// <summary>The spec's run; prompts are text.max_prompt_tokens long (its default without a text section).</summary>
    public static PlanRun From(RunSpec spec)
    {
        var official = EnergyVariant.Of(spec).Official;
        return new PlanRun
        {
            BatchSize = spec.BatchSize, MiniBatchSize = spec.MiniBatchSize, Generators = spec.Generators, Scorers = spec.Scorers,
            RewardModels = spec.Reward.Source == RewardSpec.Gold ? 0 : spec.ScoringMembers,
            PromptTokens = (spec.Text ?? new TextSpec()).MaxPromptTokens, NewTokens = spec.MaxNewTokens,
            Lora = spec.Model.Adapter is { } adapter ? LoraConfig.Of(adapter) : null,
            SeparateCritic = spec.Model.Adapter?.Critic == "separate",
            BaseDtype = WeightDtypes.Of(spec),
            ProbeSite = EnergySites.Parse(spec.ProbeSite),
            LearnerSite = official ? EnergySite.MlpOutputs : EnergySites.Parse(spec.ProbeSite),
            Sample = true, TopK = spec.TopK > 0, TopP = spec.TopP < 1,
            ReferenceAnswers = official,
            ScoresReferenceAnswers = spec.TrainingMethod.Shapes(ShapingTerm.ReferenceSigmoid),
        };
    }
}
