using Eppo.Contracts;
using Eppo.Core.Evaluation;

namespace Eppo.Core.Tasks;

/// <summary>
/// What a run trains on and how its policies are judged: the tokenizer and prompt framing, prompts (train and
/// held-out), SFT rows, preference data for reward models, and — when the task has them — a programmatic gold judge
/// with its hacking rule, and judges that compare two answers. The run spec's `task` names one of
/// <see cref="TrainingTasks.Names"/>; nothing outside a task's own folder knows which task it is.
/// </summary>
public interface ITrainingTask
{
    string Name { get; }
    TaskCodec Codec { get; }

    /// <summary>Checks what this task needs of a spec (files, sources); throws naming the field.</summary>
    void Validate(RunSpec spec, string source);

    /// <summary>What the spec's limits leave out of the task's data, in one line (text.too_long "skip"); null when nothing.</summary>
    string? LeftOut(RunSpec spec);

    /// <summary>The prompts RL trains on.</summary>
    PromptSet TrainPrompts(RunSpec spec);

    /// <summary>Prompts never seen in training, for evaluation; a function of (count, seed).</summary>
    PromptSet HeldOutPrompts(int count, int seed);

    /// <summary>Supervised (prompt, response) rows for the SFT policy; null when the policy must come from a checkpoint.</summary>
    IReadOnlyList<SftRow>? SftRows(RunSpec spec);

    /// <summary>
    /// Whether <see cref="SftRows"/> leaves out rows whose response is longer than the spec's max_new_tokens: then
    /// max_new_tokens shapes the SFT model, and is part of its cache key.
    /// </summary>
    bool SftRowsFitMaxNewTokens { get; }

    /// <summary>Where reward models get their preference pairs; null when reward models must come from checkpoints.</summary>
    IPreferenceSource? Preferences(RunSpec spec);

    /// <summary>
    /// The programmatic judge: the "gold" reward source, the gold metric of every iteration, the verdict on held-out
    /// answers and the hacking rule of evaluation; null when there is none.
    /// </summary>
    IGoldJudge? Gold { get; }

    /// <summary>The judges that compare a policy's held-out answer with a baseline's (`eppo eval`, `eppo study`), the default first; empty when there are none.</summary>
    IReadOnlyList<string> Judges { get; }

    /// <summary>Builds one of <see cref="Judges"/>; a name the task does not offer is an error naming the ones it does.</summary>
    IPairJudge Judge(JudgeRequest request);

    /// <summary>The Hugging Face checkpoint SFT starts from; null = a model of the spec's shape trained from scratch.</summary>
    string? BasePolicy(RunSpec spec);
}
