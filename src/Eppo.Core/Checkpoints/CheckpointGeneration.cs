using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Text;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// `eppo model generate`: a prompt through a checkpoint's own tokenizer and chat template (the model's, one named,
/// or none), decoded with the KV cache, greedy or sampled with a seed; or raw token ids for a checkpoint without a
/// tokenizer. Generation stops at the template's end-of-turn token (Llama 3's &lt;|eot_id|&gt;, ChatML's
/// &lt;|im_end|&gt;) or the tokenizer's EOS.
/// </summary>
public static class CheckpointGeneration
{
    public sealed record Request(string Dir, string? Prompt, long[]? Tokens, string? Template, int MaxNewTokens,
        bool Greedy, long Seed, double Temperature = 1.0, double TopP = 1.0, string? Adapter = null);

    public sealed record Result(string? Template, string? PromptText, int[] PromptIds, int[] ResponseIds, string? Response,
        float[] Energies, float MeanEnergy);

    /// <summary>Template value that turns the model's own chat template off.</summary>
    public const string NoTemplate = "none";

    public static Result Run(Request request)
    {
        if ((request.Prompt is null) == (request.Tokens is null)) throw new EppoException("give either --prompt TEXT or --tokens IDS");
        using var scope = NewDisposeScope();
        using var model = HuggingFaceCheckpoint.Load(request.Dir);
        using var adapter = request.Adapter is null ? null : Adapters.PeftAdapter.Read(request.Adapter, model);
        adapter?.ApplyModulesToSave(model);
        var tokenizer = HuggingFaceTokenizer.Exists(request.Dir) ? HuggingFaceTokenizer.Load(request.Dir) : null;
        if (tokenizer is not null && tokenizer.VocabSize > model.Config.VocabSize)
            throw new EppoException($"{request.Dir}: the tokenizer has {tokenizer.VocabSize} ids, the model's vocabulary only {model.Config.VocabSize}");

        ChatTemplate? template = null;
        string? promptText = null;
        int[] promptIds;
        if (request.Prompt is not null)
        {
            if (tokenizer is null)
                throw new EppoException($"{request.Dir}: no tokenizer ({TokenizerJson.FileName} or {HuggingFaceTokenizer.SentencePieceFile}); give token ids with --tokens instead");
            template = request.Template switch
            {
                null => ChatTemplate.Recognise(tokenizer.Config.ChatTemplate, Path.Combine(request.Dir, TokenizerConfig.FileName)),
                NoTemplate => null,
                var name => ChatTemplate.Parse(name),
            };
            var (bos, eos) = (tokenizer.TokenText(tokenizer.BosId), tokenizer.TokenText(tokenizer.EosId));
            promptText = template?.Render([new ChatMessage(ChatMessage.User, request.Prompt)], addGenerationPrompt: true, bos, eos) ?? request.Prompt;
            promptIds = tokenizer.EncodePrompt(promptText);
        }
        else
        {
            var outside = request.Tokens!.Where(t => t < 0 || t >= model.Config.VocabSize).Select(t => (long?)t).FirstOrDefault();
            if (outside is not null) throw new EppoException($"--tokens: id {outside} is outside the vocabulary (size {model.Config.VocabSize})");
            promptIds = request.Tokens!.Select(t => (int)t).ToArray();
        }
        if (promptIds.Length == 0) throw new EppoException("the prompt encodes to no tokens");

        var stop = tokenizer is null ? -1
            : template is not null && tokenizer.SpecialTokens.TryGetValue(template.EndOfTurn(tokenizer.TokenText(tokenizer.EosId)), out var endOfTurn) ? endOfTurn
            : tokenizer.EosId;
        var options = new GenerationOptions(request.MaxNewTokens, stop, DoSample: !request.Greedy, request.Temperature, TopK: 0, request.TopP,
            request.Seed, PadId: Math.Max(0, tokenizer?.PadId ?? 0));
        model.eval();
        var generated = new SequenceGenerator(model, adapter?.Adapter).Generate([promptIds], options);
        var response = generated.Responses[0];
        var text = tokenizer?.Decode(response.Where(t => t != stop));
        return new Result(template?.Name, promptText, promptIds, response,
            text, generated.Energies[0], generated.MeanEnergy[0]);
    }
}
