namespace Eppo.Contracts;

/// <summary>
/// The "text" task: a Hugging Face policy checkpoint (its tokenizer and chat template come with it) and a preference
/// dataset on disk. The data's distinct prompts are split by the run seed: <see cref="HeldOutFraction"/> of them are
/// never trained on (held-out reward-model accuracy, evaluation prompts); SFT learns the chosen responses of the
/// rest (or the rows of <see cref="SftData"/>), reward models their pairs, and RL samples their prompts (or those of
/// the run's prompts_file); with <see cref="JudgeFraction"/>, a further share is kept for the judge reward model
/// alone. Paths need be readable only where the run starts: run start stores the files (<see cref="RunSpec.Inputs"/>).
/// </summary>
public sealed record TextSpec
{
    public static readonly IReadOnlyList<string> Formats = ["hh", "alpacafarm", "tldr"];
    public const string Refuse = "refuse", Skip = "skip";

    /// <summary>A Hugging Face checkpoint directory with its tokenizer files: the base of SFT (sft.source "train").</summary>
    public string? Policy { get; init; }
    /// <summary>Chat template name (plain, hh, vicuna, llama3, chatml); null = the model's own, or plain if it has none.</summary>
    public string? Template { get; init; }
    /// <summary>The preference dataset: .jsonl, .jsonl.gz or .parquet.</summary>
    public string? Data { get; init; }
    /// <summary>hh (Anthropic HH-RLHF transcripts, or prompt/chosen/rejected rows), alpacafarm or tldr.</summary>
    public string Format { get; init; } = "hh";
    /// <summary>Optional SFT rows {"prompt", "response"}; null = the chosen responses of the training split.</summary>
    public string? SftData { get; init; }
    public double HeldOutFraction { get; init; } = 0.1;
    /// <summary>Share of prompts only the judge reward model learns (`eppo eval --judge reward-model`); 0 = no judge split.</summary>
    public double JudgeFraction { get; init; }
    /// <summary>The longest prompt in tokens, template included.</summary>
    public int MaxPromptTokens { get; init; } = 256;
    /// <summary>What happens to a prompt over max_prompt_tokens or a response over max_new_tokens: "refuse" (the run does
    /// not start; the error says how many and the longest) or "skip" (left out, and `eppo run start` says how many).</summary>
    public string TooLong { get; init; } = Refuse;

    public void Validate(string source)
    {
        var c = new SpecCheck(source, "text.");
        c.Require(!string.IsNullOrWhiteSpace(Policy), "policy", "required: a Hugging Face checkpoint directory with its tokenizer");
        c.Require(Directory.Exists(Policy), "policy", $"directory '{Policy}' not found");
        c.Require(!string.IsNullOrWhiteSpace(Data), "data", "required: a preference dataset (.jsonl, .jsonl.gz or .parquet)");
        c.Require(File.Exists(Data), "data", $"file '{Data}' not found");
        c.Require(Formats.Contains(Format), "format", $"unknown format '{Format}' (expected one of {string.Join(", ", Formats)})");
        c.Require(SftData is null || File.Exists(SftData), "sft_data", $"file '{SftData}' not found");
        c.Within(HeldOutFraction, 0, 0.9, "held_out_fraction", openBelow: true);
        c.Within(JudgeFraction, 0, 0.9, "judge_fraction");
        c.Require(HeldOutFraction + JudgeFraction < 1, "judge_fraction", $"held_out_fraction + judge_fraction must leave a training split (got {HeldOutFraction + JudgeFraction})");
        c.Within(MaxPromptTokens, 1, 1_000_000, "max_prompt_tokens");
        c.Require(TooLong is Refuse or Skip, "too_long", $"must be \"{Refuse}\" or \"{Skip}\" (got '{TooLong}')");
    }
}
