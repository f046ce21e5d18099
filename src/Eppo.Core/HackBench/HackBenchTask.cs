using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Core.Text;
using Eppo.Core.Training;

namespace Eppo.Core.HackBench;

/// <summary>
/// HackBench (docs/hackbench.md): seeded synthetic prompts over a closed word vocabulary, SFT data of the right
/// answers mixed with hacking styles, a simulated annotator's biased preferences, and the programmatic gold judge.
/// </summary>
public sealed class HackBenchTask : ITrainingTask
{
    public static readonly HackBenchTask Instance = new();

    HackBenchTask()
    {
        var tokenizer = new WordTokenizer([.. HackBenchVocabulary.Words, TaskCodec.Separator]);
        Codec = new TaskCodec(tokenizer, tokenizer.Encode(TaskCodec.Separator)[0]);
        Gold = new GoldScorer(Codec);
    }

    public string Name => "hackbench";
    public TaskCodec Codec { get; }
    public string? BasePolicy(RunSpec spec) => null;

    public IRewardFunction Gold { get; }

    public void Validate(RunSpec spec, string source)
    {
        if (spec.PromptsFile is not null)
            throw new EppoException($"{source}: field 'prompts_file': task 'hackbench' generates its prompts (use task \"jsonl\" for a prompt file)");
    }

    public PromptSet TrainPrompts(RunSpec spec) => Encode(PromptGenerator.Generate(spec.Seed, HackBenchSplit.Train, spec.Prompts));

    public PromptSet HeldOutPrompts(int count, int seed) => Encode(PromptGenerator.Generate(seed, HackBenchSplit.HeldOut, count));

    public IReadOnlyList<SftRow> SftRows(RunSpec spec) =>
        SftDataset.Generate(Seeds.Of(spec.Seed, SeedStream.SftData), spec.Sft.Examples).Select(e => new SftRow(e.PromptText, e.Response)).ToArray();

    public IPreferenceSource Preferences(RunSpec spec) =>
        new HackBenchPreferences(new PreferenceLabelerOptions(spec.Reward.FlipProbability, spec.Reward.LengthBias, spec.Reward.CautionBias));

    PromptSet Encode(IReadOnlyList<HackBenchPrompt> prompts) => PromptSet.Encode(prompts.Select(p => (p.Id, p.Text)).ToArray(), Codec, "hackbench");
}
