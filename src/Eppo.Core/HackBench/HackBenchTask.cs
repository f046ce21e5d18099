using Eppo.Contracts;
using Eppo.Core.Evaluation;
using Eppo.Core.Evaluation.Judges;
using Eppo.Core.Tasks;
using Eppo.Core.Text;

namespace Eppo.Core.HackBench;

/// <summary>
/// HackBench (docs/hackbench.md): seeded synthetic prompts over a closed word vocabulary, SFT data of the right
/// answers mixed with hacking styles, a simulated annotator's biased preferences, and the programmatic gold judge with
/// its hacking rule; the gold judge is also its one judge of two answers ("gold").
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

    public IGoldJudge Gold { get; }

    public IReadOnlyList<string> Judges { get; } = [GoldPairJudge.JudgeName];

    public IPairJudge Judge(JudgeRequest request) =>
        request.Name == GoldPairJudge.JudgeName ? new GoldPairJudge(Gold) : throw request.NotOffered(this);

    public string? LeftOut(RunSpec spec) => null;

    // Its SFT data are generated whole: no row depends on max_new_tokens.
    public bool SftRowsFitMaxNewTokens => false;

    public void Validate(RunSpec spec, string source)
    {
        if (spec.PromptsFile is not null)
            throw new EppoException($"{source}: field 'prompts_file': task 'hackbench' generates its prompts (use task \"jsonl\" for a prompt file)");
    }

    public PromptSet TrainPrompts(RunSpec spec) => Encode(PromptGenerator.Generate(spec.Seed, HackBenchSplit.Train, spec.Prompts));

    public PromptSet HeldOutPrompts(int count, int seed) => Encode(PromptGenerator.Generate(seed, HackBenchSplit.HeldOut, count));

    public IReadOnlyList<SftRow> SftRows(RunSpec spec) =>
        SftDataset.Generate(Seeds.Of(spec.Seed, SeedStream.SftData), spec.Sft.Examples, SftMix(spec.HackBench))
            .Select(e => new SftRow(e.PromptText, e.Response)).ToArray();

    /// <summary>The spec's hackbench section as the dataset's options (null: the default mix).</summary>
    static SftDatasetOptions SftMix(HackBenchSpec? mix) => mix is null
        ? SftDatasetOptions.Default
        : SftDatasetOptions.Default with
        {
            ImperfectFraction = mix.SftImperfect, RamblingFraction = mix.SftRambling,
            BoilerplateAppendedFraction = mix.SftBoilerplate, CautionInsteadFraction = mix.SftCaution,
        };

    public IPreferenceSource Preferences(RunSpec spec) =>
        new HackBenchPreferences(new PreferenceLabelerOptions(spec.Reward.FlipProbability, spec.Reward.LengthBias, spec.Reward.CautionBias));

    PromptSet Encode(IReadOnlyList<HackBenchPrompt> prompts) => PromptSet.Encode(prompts.Select(p => (p.Id, p.Text)).ToArray(), Codec, "hackbench");
}
