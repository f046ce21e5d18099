using Eppo.Core.Model;

namespace Eppo.Core.Planning;

/// <summary>Parameter counts: the policy model, what each optimizer trains, and one reward model (0 when the gold judge scores).</summary>
public sealed record PlanParameters(long Policy, long ActorTrained, long CriticTrained, long RewardModel);

/// <summary>
/// What a run needs where (`eppo plan`): per grain kind its weights, gradients, optimizer state and activations; the
/// bytes on the wire per iteration; and a placement over N devices. Counted for this implementation (fp32 residual
/// stream, eager passes, TorchSharp's dispose scopes), from the model's config alone.
/// </summary>
public sealed record RunPlan(string Model, ModelConfig Config, PlanRun Run, PlanParameters Parameters, IReadOnlyList<GrainMemory> Grains, WireBytes Wire, Placement Placement)
{
    /// <summary>What `eppo plan` allows per device by default for the process itself (CUDA context, allocator slack): not measured here.</summary>
    public const long DefaultOverheadBytes = 1L << 30;

    public static RunPlan Build(string model, ModelConfig config, PlanRun run, int devices, long deviceBytes, long overheadBytes = DefaultOverheadBytes)
    {
        if (run.MiniBatchSize <= 0 || run.BatchSize % run.MiniBatchSize != 0)
            throw new EppoException($"mini_batch_size: must be positive and divide batch_size ({run.BatchSize})");
        if (run.Tokens > config.MaxPositions)
            throw new EppoException($"text.max_prompt_tokens + max_new_tokens = {run.Tokens} exceeds the model's {config.MaxPositions} positions");
        GrainMemory[] grains =
        [
            GrainPlans.Learner(config, run),
            GrainPlans.Generator(config, run),
            GrainPlans.Scorer(config, run),
            GrainPlans.EnergyReference(config, run),
        ];
        var policy = ModelTensors.Elements(ModelTensors.Of(config, HeadKind.LanguageModel));
        var parameters = run.Lora is null
            ? new PlanParameters(policy, policy, ModelTensors.Elements(ModelTensors.Of(config, HeadKind.Value)), RewardModel(config, run))
            : new PlanParameters(policy, ModelTensors.Elements(ModelTensors.Adapter(config, run.Lora)),
                ModelTensors.Elements(run.SeparateCritic ? ModelTensors.Of(config, HeadKind.Value) : ModelTensors.AdapterCritic(config, run.Lora)),
                RewardModel(config, run));
        return new RunPlan(model, config, run, parameters, grains, WireBytes.Of(config, run), Placement.Of(grains, devices, deviceBytes, overheadBytes));
    }

    public GrainMemory Grain(string kind) => Grains.First(g => g.Kind == kind);

    static long RewardModel(ModelConfig config, PlanRun run) =>
        run.RewardModels == 0 ? 0 : ModelTensors.Elements(ModelTensors.Of(config, HeadKind.Reward));
}
