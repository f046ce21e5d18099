using Eppo.Contracts;
using Eppo.Core.Data;
using Eppo.Core.Evaluation;
using Eppo.Core.Tasks;

namespace Eppo.Core.HackBench;

/// <summary>
/// "jsonl": RL on the prompts of a JSONL file (<see cref="JsonlPrompts"/>) with an SFT policy and reward models from
/// checkpoints. Its tokenizer is HackBench's word vocabulary — the one our own checkpoints have — so it lives here;
/// tasks over real tokenizers come with Hugging Face checkpoints.
/// </summary>
public sealed class JsonlPromptsTask : ITrainingTask
{
    public static readonly JsonlPromptsTask Instance = new();

    JsonlPromptsTask() { }

    public string Name => "jsonl";
    public TaskCodec Codec => HackBenchTask.Instance.Codec;
    public string? BasePolicy(RunSpec spec) => null;

    public IGoldJudge? Gold => null;
    public IReadOnlyList<string> Judges => [];
    public IPairJudge Judge(JudgeRequest request) => throw request.NotOffered(this);
    public string? LeftOut(RunSpec spec) => null;
    public bool SftRowsFitMaxNewTokens => false;

    public void Validate(RunSpec spec, string source)
    {
        void Require(bool ok, string field, string what)
        {
            if (!ok) throw new EppoException($"{source}: field '{field}': {what}");
        }
        Require(!string.IsNullOrEmpty(spec.PromptsFile), "prompts_file", "required when task is jsonl");
        Require(spec.Sft.Source != "train", "sft.source", "task 'jsonl' has no SFT data: name an SFT checkpoint directory");
        Require(spec.Reward.Source is not (RewardSpec.Train or RewardSpec.Gold), "reward.source",
            "task 'jsonl' has no preference data and no gold judge: name reward-model checkpoints");
    }

    public PromptSet TrainPrompts(RunSpec spec) =>
        PromptSet.Encode(JsonlPrompts.Load(spec.PromptsFile!).Take(spec.Prompts).Select(r => (r.Id, r.Prompt)).ToArray(), Codec, spec.PromptsFile!);

    public PromptSet HeldOutPrompts(int count, int seed) =>
        throw new EppoException("task 'jsonl' has no held-out prompts: evaluate on a task that has them");

    public IReadOnlyList<SftRow>? SftRows(RunSpec spec) => null;

    public IPreferenceSource? Preferences(RunSpec spec) => null;
}
