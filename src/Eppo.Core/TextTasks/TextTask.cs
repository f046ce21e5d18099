using System.Collections.Concurrent;
using System.Text.Json;
using Eppo.Contracts;
using Eppo.Core.Checkpoints;
using Eppo.Core.Data;
using Eppo.Core.Evaluation;
using Eppo.Core.Evaluation.Judges;
using Eppo.Core.Tasks;
using Eppo.Core.Text;

namespace Eppo.Core.TextTasks;

/// <summary>
/// "text": RLHF on real text with a Hugging Face policy (docs/text-task.md). The tokenizer and chat template come
/// from the policy checkpoint (text.template names another); SFT fine-tunes the checkpoint on the chosen responses of
/// the training split (or text.sft_data), reward models learn its pairs, RL samples its prompts (or prompts_file's),
/// and the held-out split is never trained on. A prompt over text.max_prompt_tokens or a response over max_new_tokens
/// stops the start (text.too_long "refuse") or is left out and counted ("skip"; <see cref="Lengths"/>). There is no
/// gold judge; held-out answers are judged by a judge reward model trained on the judge split (text.judge_fraction),
/// which the proxy never sees, or by a chat model behind an OpenAI-compatible endpoint.
/// One instance per spec's text section and seed, built the same way on every silo.
/// </summary>
public sealed class TextTask : ITrainingTask
{
    public const string TaskName = "text";

    static readonly ConcurrentDictionary<string, TextTask> Instances = new();

    readonly TextSpec text;
    readonly int seed;
    readonly Lazy<TaskCodec> codec;
    readonly Lazy<TextSplit> split;

    // Nothing is read until asked for: a run grain builds the task of a spec whose files it does not have (they are
    // in the artifact store) for what needs none (the gold judge, the model cache key). A failed read is tried again
    // next time, so a fixed file is read.
    TextTask(TextSpec text, int seed)
    {
        this.text = text;
        this.seed = seed;
        codec = new Lazy<TaskCodec>(() => LoadCodec(text), LazyThreadSafetyMode.PublicationOnly);
        split = new Lazy<TextSplit>(() => TextSplit.Of(PreferenceDatasets.Load(text.Data!, text.Format), text.HeldOutFraction, seed, text.Data!, text.JudgeFraction));
    }

    static TaskCodec LoadCodec(TextSpec text)
    {
        try
        {
            var tokenizer = HuggingFaceTokenizer.Load(text.Policy!);
            var template = text.Template is { } name
                ? ChatTemplate.Parse(name)
                : ChatTemplate.Recognise(tokenizer.Config.ChatTemplate, Path.Combine(text.Policy!, TokenizerConfig.FileName)) ?? ChatTemplate.Parse("plain");
            return TaskCodec.Chat(tokenizer, template);
        }
        catch (EppoException e)
        {
            throw new EppoException($"field 'text.policy': {e.Message}");
        }
    }

    /// <summary>The task of a spec with task "text"; the same object for the same text section and seed.</summary>
    public static TextTask For(RunSpec spec, string source = "run spec")
    {
        var text = spec.Text ?? throw new EppoException($"{source}: field 'text': required when task is \"text\"");
        var key = JsonSerializer.Serialize(text, RunSpec.Json) + "|" + spec.Seed;
        return Instances.GetOrAdd(key, _ => new TextTask(text, spec.Seed));
    }

    public string Name => TaskName;
    public TaskCodec Codec => codec.Value;
    public IGoldJudge? Gold => null;

    public const string RewardModelJudgeName = "reward-model", ChatJudgeName = "chat";

    public IReadOnlyList<string> Judges { get; } = [RewardModelJudgeName, ChatJudgeName];

    public IPairJudge Judge(JudgeRequest request) => request.Name switch
    {
        RewardModelJudgeName => new RewardModelJudge(JudgeRewardModel.LoadOrTrain(request.Spec, this, request.Baseline, request.Directory, request.Progress), Codec),
        ChatJudgeName => new ChatCompletionsJudge(ChatJudgeOptions.Resolve(request.ChatUrl, request.ChatModel)),
        _ => throw request.NotOffered(this),
    };

    // SFT rows whose response exceeds max_new_tokens are left out.
    public bool SftRowsFitMaxNewTokens => true;

    public string? LeftOut(RunSpec spec) =>
        Lengths(spec) is { Any: true } lengths ? $"{lengths.Describe(text, spec.MaxNewTokens)} (text.too_long = \"{TextSpec.Skip}\")" : null;

    public string? BasePolicy(RunSpec spec) => text.Policy;

    public void Validate(RunSpec spec, string source)
    {
        void Require(bool ok, string field, string what)
        {
            if (!ok) throw new EppoException($"{source}: field '{field}': {what}");
        }
        Require(HuggingFaceCheckpoint.IsCheckpoint(text.Policy!), "text.policy", $"'{text.Policy}' is not a Hugging Face checkpoint (config.json and safetensors)");
        Require(spec.Reward.Source != RewardSpec.Gold, "reward.source", "task 'text' has no gold judge: \"train\" or reward-model checkpoints");
        try { _ = Codec; }
        catch (EppoException e) { throw new EppoException($"{source}: {e.Message}"); }
        var config = HuggingFaceConfig.Read(Path.Combine(text.Policy!, HuggingFaceCheckpoint.ConfigFile)).Config;
        Require(Codec.VocabSize <= config.VocabSize, "text.policy", $"its tokenizer has {Codec.VocabSize} ids, the model's vocabulary {config.VocabSize}");
        Require(text.MaxPromptTokens + spec.MaxNewTokens <= config.MaxPositions, "max_new_tokens",
            $"text.max_prompt_tokens ({text.MaxPromptTokens}) + max_new_tokens ({spec.MaxNewTokens}) exceed the model's {config.MaxPositions} positions");
        _ = split.Value;         // reads the data: a bad row fails here, naming the file and line
        var lengths = Lengths(spec);
        Require(!lengths.Any || text.TooLong == TextSpec.Skip, lengths.Prompts > 0 ? "text.max_prompt_tokens" : "max_new_tokens",
            lengths.Describe(text, spec.MaxNewTokens) + $"; raise the limit or set text.too_long to \"{TextSpec.Skip}\" to leave them out");
        _ = TrainPrompts(spec);  // and an empty prompt set
    }

    readonly ConcurrentDictionary<int, TextLengths> lengthsByLimit = new();

    /// <summary>The rows over the length limits: refused at start, or left out and counted (text.too_long).</summary>
    public TextLengths Lengths(RunSpec spec) => lengthsByLimit.GetOrAdd(spec.MaxNewTokens, maxNewTokens =>
    {
        var all = split.Value.Train.Concat(split.Value.Judge).Concat(split.Value.HeldOut).ToList();
        var promptTokens = all.Select(r => r.Prompt).Distinct().Select(p => Codec.EncodePrompt(p).Length).ToList();
        var responses = all.SelectMany(r => new[] { r.Chosen, r.Rejected })
            .Concat(text.SftData is { } file ? Eppo.Core.Data.SftRows.Load(file).Select(r => r.Response) : [])
            .Distinct().Select(r => Codec.EncodeResponse(r).Length).ToList();
        return new TextLengths(promptTokens.Count(n => n > text.MaxPromptTokens), promptTokens.Count, promptTokens.DefaultIfEmpty(0).Max(),
            responses.Count(n => n > maxNewTokens), responses.Count, responses.DefaultIfEmpty(0).Max());
    });

    bool PromptFits(string prompt) => Codec.EncodePrompt(prompt).Length <= text.MaxPromptTokens;

    bool Fits(PreferenceRecord r, int maxNewTokens) => PromptFits(r.Prompt)
        && Codec.EncodeResponse(r.Chosen).Length <= maxNewTokens && Codec.EncodeResponse(r.Rejected).Length <= maxNewTokens;

    public PromptSet TrainPrompts(RunSpec spec)
    {
        var prompts = spec.PromptsFile is { } file
            ? JsonlPrompts.Load(file).Select(p => p.Prompt)
            : split.Value.Train.Select(r => r.Prompt);
        return Encode(prompts.Distinct().Where(PromptFits).Take(spec.Prompts).ToList(), spec.PromptsFile ?? text.Data!);
    }

    public PromptSet HeldOutPrompts(int count, int seed) =>
        Encode(split.Value.HeldOut.Select(r => r.Prompt).Distinct().Where(PromptFits).Take(count).ToList(), $"{text.Data} (held-out split)");

    PromptSet Encode(IReadOnlyList<string> prompts, string source)
    {
        if (prompts.Count == 0) throw new EppoException($"{source}: no prompt fits text.max_prompt_tokens ({text.MaxPromptTokens} tokens)");
        return PromptSet.Encode(prompts.Select(p => (TextSplit.PromptId(p), p)).ToArray(), Codec, source);
    }

    public IReadOnlyList<SftRow> SftRows(RunSpec spec)
    {
        var rows = text.SftData is { } file
            ? Eppo.Core.Data.SftRows.Load(file)
            : split.Value.Train.Select(r => new SftRow(r.Prompt, r.Chosen)).ToList();
        var fitting = rows.Where(r => PromptFits(r.Prompt) && Codec.EncodeResponse(r.Response).Length <= spec.MaxNewTokens).ToList();
        if (fitting.Count == 0)
            throw new EppoException($"{text.SftData ?? text.Data}: no SFT row fits text.max_prompt_tokens ({text.MaxPromptTokens}) and max_new_tokens ({spec.MaxNewTokens})");
        return fitting;
    }

    public IPreferenceSource Preferences(RunSpec spec) => new TextPreferences(split.Value.Train, split.Value.HeldOut, r => Fits(r, spec.MaxNewTokens));

    /// <summary>The judge reward model's data: the judge split's pairs, held out as the proxy's are; null without a judge split.</summary>
    public IPreferenceSource? JudgePreferences(RunSpec spec) =>
        split.Value.Judge.Count == 0 ? null : new TextPreferences(split.Value.Judge, split.Value.HeldOut, r => Fits(r, spec.MaxNewTokens));
}
