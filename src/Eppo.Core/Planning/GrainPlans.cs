using Eppo.Core.Model;

namespace Eppo.Core.Planning;

/// <summary>
/// Each grain kind's memory for a model and a run, as our implementation holds it:
/// <list type="bullet">
/// <item>full fine-tuning (Learning/FullModels.cs): actor and critic, each fp32 weights + gradients + Adam m and v,
/// and a frozen fp32 reference; every generator a policy copy of its own;</item>
/// <item>LoRA (Learning/AdapterModels.cs): one frozen base in model.dtype serving policy, reference and (with an adapter
/// critic) critic, shared with the silo's generators and energy reference; fp32 adapters and heads, their gradients and Adam;
/// a "separate" critic is a whole fp32 value model with its gradients and Adam; a generator keeps the last two adapters.</item>
/// </list>
/// Scorers hold an fp32 reward model of the policy's shape each. Gradients stay allocated between steps (zero_grad
/// zeroes them in place); SafeAdam's step keeps √v and √v/c for every parameter until it ends (8 bytes per
/// trained parameter of scratch).
/// </summary>
public static class GrainPlans
{
    const int F32 = 4, I64 = 8;

    public static GrainMemory Learner(ModelConfig config, PlanRun run)
    {
        var lora = run.Lora;
        var policyModel = ModelTensors.Of(config, HeadKind.LanguageModel);
        var valueModel = ModelTensors.Of(config, HeadKind.Value);
        IReadOnlyList<TensorShape> actorTrained, criticTrained;
        long weights, shared = 0;
        if (lora is null)
        {
            actorTrained = policyModel;
            criticTrained = valueModel;
            weights = 2 * ModelTensors.Bytes(policyModel) + ModelTensors.Bytes(valueModel);   // actor, reference, critic
        }
        else
        {
            actorTrained = ModelTensors.Adapter(config, lora);
            criticTrained = run.SeparateCritic ? valueModel : ModelTensors.AdapterCritic(config, lora);
            weights = ModelTensors.Bytes(actorTrained) + ModelTensors.Bytes(criticTrained);
            shared = ModelTensors.Bytes(ModelTensors.Of(config, HeadKind.LanguageModel, run.BaseDtype));
        }
        var gradients = ModelTensors.Bytes(actorTrained) + ModelTensors.Bytes(criticTrained);

        var baseDtype = lora is null ? ScalarType.Float32 : run.BaseDtype;
        var criticOnBase = lora is not null && !run.SeparateCritic;
        var criticAdapter = criticOnBase ? lora : null;
        var criticDtype = criticOnBase ? baseDtype : ScalarType.Float32;
        int rows = run.BatchSize, mini = run.MiniBatchSize, prompt = run.PromptTokens, response = run.NewTokens;
        var experience = (long)rows * run.Tokens * 3 * I64 + 16L * rows * response * F32;     // the batch's tokens, mask, positions; scores, values, rewards, advantages …
        var minibatch = (long)mini * run.Tokens * 3 * I64 + 6L * mini * response * F32;

        var policyPass = PassMemory.Score(config, rows, prompt, response, lora, baseDtype, run.LearnerSite);
        var referencePass = PassMemory.Score(config, rows, prompt, response, null, baseDtype, run.LearnerSite);
        var criticPass = PassMemory.Values(config, rows, prompt, response, Trains.Nothing, criticAdapter, criticDtype, run.LearnerSite);
        var trains = lora is null ? Trains.Everything : Trains.Adapter;
        var actor = PassMemory.TrainScore(config, mini, prompt, response, trains, lora, baseDtype, run.LearnerSite);
        var critic = PassMemory.Values(config, mini, prompt, response, lora is null || run.SeparateCritic ? Trains.Everything : Trains.Adapter,
            criticAdapter, criticDtype, run.LearnerSite);
        var step = experience + minibatch;
        MemoryPhase[] phases =
        [
            new($"experience: policy, reference and critic passes over the batch ({rows} rows, no grad)", experience + Math.Max(policyPass, Math.Max(referencePass, criticPass))),
            new($"policy forward and backward ({mini} rows)", step + actor.Peak),
            new("policy optimizer step", step + actor.Retained + 2L * F32 * ModelTensors.Elements(actorTrained)),
            new($"critic forward and backward ({mini} rows)", step + actor.Retained + critic),
            new("critic optimizer step", step + actor.Retained + 2L * F32 * ModelTensors.Elements(criticTrained)),
        ];
        return new GrainMemory
        {
            Kind = GrainMemory.Learner, Count = 1, Weights = weights, SharedWeights = shared, SharedDtype = shared > 0 ? baseDtype : null,
            Gradients = gradients, OptimizerState = 2 * gradients, Activations = phases.Max(p => p.Bytes), Phases = phases,
        };
    }

    /// <summary>A rollout generator: its policy (a copy, or the shared base and two adapters) and one Generate call over its chunk.</summary>
    public static GrainMemory Generator(ModelConfig config, PlanRun run)
    {
        var rows = Chunk(run.BatchSize, run.Generators);
        var sampling = new PassMemory.Sampling(run.Sample, run.TopK, run.TopP);
        var generation = PassMemory.Generate(config, rows, run.PromptTokens, run.NewTokens, run.Lora, run.Lora is null ? ScalarType.Float32 : run.BaseDtype, run.ProbeSite, sampling);
        var kv = PassMemory.KvCache(config, rows, run.Tokens);
        MemoryPhase[] phases = [new($"generation: {rows} rows, KV cache of {run.Tokens} positions", generation)];
        if (run.Lora is null)
            return new GrainMemory
            {
                Kind = GrainMemory.Generator, Count = run.Generators, Weights = ModelTensors.Bytes(ModelTensors.Of(config, HeadKind.LanguageModel)),
                Activations = generation, KvCache = kv, Phases = phases,
            };
        return new GrainMemory
        {
            Kind = GrainMemory.Generator, Count = run.Generators, Weights = 2 * ModelTensors.Bytes(ModelTensors.Adapter(config, run.Lora)),
            SharedWeights = ModelTensors.Bytes(ModelTensors.Of(config, HeadKind.LanguageModel, run.BaseDtype)), SharedDtype = run.BaseDtype,
            Activations = generation, KvCache = kv, Phases = phases,
        };
    }

    /// <summary>The SFT energy reference: the shared frozen SFT model, greedy generation over a whole batch of cache misses.</summary>
    public static GrainMemory EnergyReference(ModelConfig config, PlanRun run)
    {
        var dtype = run.Lora is null ? ScalarType.Float32 : run.BaseDtype;
        var generation = PassMemory.Generate(config, run.BatchSize, run.PromptTokens, run.NewTokens, null, dtype, run.ProbeSite, PassMemory.Sampling.Greedy);
        return new GrainMemory
        {
            Kind = GrainMemory.EnergyReference, Count = 1, Weights = 0,
            SharedWeights = ModelTensors.Bytes(ModelTensors.Of(config, HeadKind.LanguageModel, dtype)), SharedDtype = dtype,
            Activations = generation, KvCache = PassMemory.KvCache(config, run.BatchSize, run.Tokens), Phases = [new($"greedy generation: {run.BatchSize} rows (every prompt a cache miss)", generation)],
        };
    }

    /// <summary>One scorer grain per (reward model, chunk): an fp32 reward model and one pass over its chunk.</summary>
    public static GrainMemory Scorer(ModelConfig config, PlanRun run)
    {
        var rows = Chunk(run.BatchSize, run.Scorers);
        var pass = run.RewardModels == 0 ? 0 : PassMemory.Rewards(config, rows, run.Tokens);
        return new GrainMemory
        {
            Kind = GrainMemory.Scorer, Count = Math.Max(1, run.RewardModels) * run.Scorers,
            Weights = run.RewardModels == 0 ? 0 : ModelTensors.Bytes(ModelTensors.Of(config, HeadKind.Reward)),
            Activations = pass, Phases = [new($"reward model pass: {rows} rows × {run.Tokens} tokens", pass)],
        };
    }

    static int Chunk(int batch, int parts) => (batch + parts - 1) / parts;
}
