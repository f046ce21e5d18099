using Eppo.Contracts;
using Eppo.Core.Model;
using Eppo.Core.Checkpoints;
using Eppo.Core.HackBench;
using Eppo.Core.TextTasks;
using Eppo.Core.Preparation;

namespace Eppo.Core.Tasks;

/// <summary>
/// The task catalog: the run spec's `task` names one of these. A new task is one entry here and its own folder. A
/// task with files of its own (text) is built from the spec, once per distinct spec section.
/// </summary>
public static class TrainingTasks
{
    static readonly IReadOnlyDictionary<string, Func<RunSpec, string, ITrainingTask>> Catalog = new Dictionary<string, Func<RunSpec, string, ITrainingTask>>
    {
        [HackBenchTask.Instance.Name] = (_, _) => HackBenchTask.Instance,
        [JsonlPromptsTask.Instance.Name] = (_, _) => JsonlPromptsTask.Instance,
        [TextTask.TaskName] = TextTask.For,
    };

    public static IReadOnlyList<string> Names => Catalog.Keys.ToArray();

    /// <summary>The spec's task; an unknown name is an error naming the field and the known tasks.</summary>
    public static ITrainingTask For(RunSpec spec, string source = "run spec") =>
        Catalog.TryGetValue(spec.Task, out var create)
            ? create(spec, source)
            : throw new EppoException($"{source}: field 'task': unknown task '{spec.Task}' (expected one of {string.Join(", ", Names)})");

    /// <summary>Parses a spec and checks it against its task: where a spec enters the system (run start, the CLI, the demo).</summary>
    public static RunSpec Parse(string json, string source)
    {
        var spec = RunSpec.Parse(json, source);
        Validate(spec, source);
        return spec;
    }

    /// <summary>A model trained here has <see cref="ModelFactory.MaxPositions"/> positions: prompt and answer must fit, and the run in memory.</summary>
    static void RequireFits(RunSpec spec, ITrainingTask task, string source)
    {
        var longest = task.TrainPrompts(spec).Tokens.Max(t => t.Length);
        if (longest + spec.MaxNewTokens > ModelFactory.MaxPositions)
            throw new EppoException($"{source}: field 'max_new_tokens': task '{task.Name}' prompts take up to {longest} tokens and a model trained " +
                                    $"here has {ModelFactory.MaxPositions} positions, so at most {ModelFactory.MaxPositions - longest} (got {spec.MaxNewTokens})");
        var bytes = MemoryEstimate.Bytes(spec, task.Codec.VocabSize, ModelFactory.MaxPositions);
        if (bytes > MemoryEstimate.LimitBytes)
            throw new EppoException($"{source}: fields 'model.hidden_size', 'model.layers', 'model.intermediate_size', 'mini_batch_size', 'generators': " +
                                    $"this run needs an estimated {bytes / (1L << 30):F0} GiB (limit {MemoryEstimate.LimitBytes / (1L << 30):F0} GiB)");
    }

    public static RunSpec Validate(RunSpec spec, string source)
    {
        var task = For(spec, source);
        task.Validate(spec, source);
        if (spec.Reward.Source == RewardSpec.Gold && task.Gold is null)
            throw new EppoException($"{source}: field 'reward.source': task '{task.Name}' has no gold judge");
        if (spec.Sft.Source == "train" && task.BasePolicy(spec) is null) RequireFits(spec, task, source);
        if (spec.Sft.Adapter is { } sftAdapter) RequireSftAdapter(spec, task, sftAdapter, source);
        if (spec.Model.Adapter is { } adapter)
            Adapters.LoraConfig.Of(adapter).Targets.Select(ModelLinears.Paths(SftConfig(spec, task)), $"{source}: field 'model.adapter.targets'");
        return spec;
    }

    /// <summary>The SFT policy's shape: the sft.source checkpoint's, the task's base policy's, or the spec's model section.</summary>
    static ModelConfig SftConfig(RunSpec spec, ITrainingTask task) =>
        spec.Sft.Source != "train" ? ModelStore.ConfigOf(spec.Sft.Source)
        : task.BasePolicy(spec) is { } dir && Checkpoints.HuggingFaceCheckpoint.IsCheckpoint(dir) ? ModelStore.ConfigOf(dir)
        : ModelFactory.ConfigFor(spec, task.Codec.VocabSize);

    /// <summary>
    /// sft.adapter is refused at start unless it is a PEFT adapter of a causal LM whose targets match linears of the
    /// SFT policy (PEFT's unsupported options are named by <see cref="Adapters.PeftConfig"/>); tensor shapes are checked
    /// when it is merged, naming the tensor.
    /// </summary>
    static void RequireSftAdapter(RunSpec spec, ITrainingTask task, string dir, string source)
    {
        var file = Path.Combine(dir, Adapters.PeftConfig.FileName);
        if (!File.Exists(file)) throw new EppoException($"{source}: field 'sft.adapter': '{dir}' has no {Adapters.PeftConfig.FileName}: not a PEFT adapter directory");
        var peft = Adapters.PeftConfig.Read(file);
        if (peft.TaskType != "CAUSAL_LM")
            throw new EppoException($"{file}: field 'task_type': '{peft.TaskType}' adapts a classifier; sft.adapter must adapt a causal LM (CAUSAL_LM)");
        peft.Lora.Targets.Select(ModelLinears.Paths(SftConfig(spec, task)), $"{file}: field 'target_modules'");
    }
}
