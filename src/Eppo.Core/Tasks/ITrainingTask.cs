using Eppo.Contracts;

namespace Eppo.Core.Tasks;

/// <summary>
/// What a run trains on: the tokenizer and prompt framing, prompts (train and held-out), SFT rows, preference data
/// for reward models, and — when the task has one — a programmatic gold judge. The run spec's `task` names one of
/// <see cref="TrainingTasks.Names"/>; nothing outside a task's own folder knows which task it is.
/// </summary>
public interface ITrainingTask
{
    string Name { get; }
    TaskCodec Codec { get; }

    /// <summary>Checks what this task needs of a spec (files, sources); throws naming the field.</summary>
    void Validate(RunSpec spec, string source);

    /// <summary>The prompts RL trains on.</summary>
    PromptSet TrainPrompts(RunSpec spec);

    /// <summary>Prompts never seen in training, for evaluation; a function of (count, seed).</summary>
    PromptSet HeldOutPrompts(int count, int seed);

    /// <summary>Supervised (prompt, response) rows for the SFT policy; null when the policy must come from a checkpoint.</summary>
    IReadOnlyList<SftRow>? SftRows(RunSpec spec);

    /// <summary>Where reward models get their preference pairs; null when reward models must come from checkpoints.</summary>
    IPreferenceSource? Preferences(RunSpec spec);

    /// <summary>The programmatic judge: the "gold" reward source and the gold metric of every iteration; null when there is none.</summary>
    IRewardFunction? Gold { get; }

    /// <summary>The Hugging Face checkpoint SFT starts from; null = a model of the spec's shape trained from scratch.</summary>
    string? BasePolicy(RunSpec spec);
}
