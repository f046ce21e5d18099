using Eppo.Core.Model;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// Writes a model in Hugging Face layout — config.json and model.safetensors (F32) — so that transformers and
/// <see cref="HuggingFaceCheckpoint"/> read it: GPT-2's Conv1D weights go back to in × out, a tied head is not written,
/// a reward model is a …ForSequenceClassification with its "score" head. Written with <see cref="AtomicDirectory"/>.
/// </summary>
public static class HuggingFaceExport
{
    public static string Architecture(DecoderModel model) => HuggingFaceConfig.Architecture(model.Config, model.Kind);

    /// <summary>Writes config.json and model.safetensors (and the tokenizer files of <paramref name="tokenizerFrom"/>, if given), replacing dir.</summary>
    public static void Save(DecoderModel model, string dir, string? tokenizerFrom = null)
    {
        Architecture(model);
        if (tokenizerFrom is not null && Text.HuggingFaceTokenizer.Exists(tokenizerFrom) && Text.HuggingFaceTokenizer.Load(tokenizerFrom) is { } tokenizer
            && tokenizer.VocabSize > model.Config.VocabSize)
            throw new EppoException($"{tokenizerFrom}: the tokenizer has {tokenizer.VocabSize} ids, the model's vocabulary only {model.Config.VocabSize}");
        AtomicDirectory.Write(dir, temp =>
        {
            File.WriteAllText(Path.Combine(temp, HuggingFaceCheckpoint.ConfigFile), HuggingFaceConfig.Write(model.Config, model.Kind, "float32"));
            using (var scope = NewDisposeScope())
            using (var file = File.Create(Path.Combine(temp, HuggingFaceCheckpoint.WeightsFile)))
            {
                // Views where possible (a transpose is one); the writer copies each tensor to the CPU, contiguous, for its write.
                var gpt2 = model.Config.Family == ModelFamily.Gpt2;
                var tensors = model.state_dict().Select(kv =>
                {
                    var value = kv.Value.detach().to_type(ScalarType.Float32);
                    return (kv.Key, gpt2 && HuggingFaceCheckpoint.IsConv1D(kv.Key) ? value.t() : value);
                });
                SafetensorsWriter.Plan(tensors, new Dictionary<string, string> { ["format"] = "pt" }).WriteTo(file);  // transformers checks "format"
            }
            if (tokenizerFrom is not null) Text.TokenizerFiles.Copy(tokenizerFrom, temp);
        });
    }
}
