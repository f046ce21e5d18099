using System.Text.Json;
using System.Text.Json.Nodes;
using Eppo.Core.Model;
using TorchSharp.PyBridge;

namespace Eppo.Core.Checkpoints;

/// <summary>
/// Writes a model in Hugging Face layout — config.json and model.safetensors (F32) — so that transformers and
/// <see cref="HuggingFaceCheckpoint"/> read it: GPT-2's Conv1D weights go back to in × out, a tied head is not written,
/// a reward model is a …ForSequenceClassification with its "score" head. Written to a temporary sibling and renamed.
/// </summary>
public static class HuggingFaceExport
{
    public static string Architecture(DecoderModel model)
    {
        var c = model.Config;
        var stem = c.Family == ModelFamily.Gpt2 ? "GPT2" : c.AttentionBias ? "Qwen2" : "Llama";
        return model.Kind switch
        {
            HeadKind.LanguageModel => stem + (stem == "GPT2" ? "LMHeadModel" : "ForCausalLM"),
            HeadKind.Reward => stem + "ForSequenceClassification",
            HeadKind.Value => throw new EppoException("export: a critic (value head) has no Hugging Face architecture; export the policy or the reward model"),
            _ => throw new EppoException($"export: a {model.Kind} reward model has no Hugging Face architecture (only a scalar score head does)"),
        };
    }

    /// <summary>Writes config.json and model.safetensors (and the tokenizer files of <paramref name="tokenizerFrom"/>, if given) into a fresh dir.</summary>
    public static void Save(DecoderModel model, string dir, string? tokenizerFrom = null)
    {
        var architecture = Architecture(model);
        if (tokenizerFrom is not null && Text.HuggingFaceTokenizer.Exists(tokenizerFrom) && Text.HuggingFaceTokenizer.Load(tokenizerFrom) is { } tokenizer
            && tokenizer.VocabSize > model.Config.VocabSize)
            throw new EppoException($"{tokenizerFrom}: the tokenizer has {tokenizer.VocabSize} ids, the model's vocabulary only {model.Config.VocabSize}");
        var parent = Path.GetDirectoryName(Path.GetFullPath(dir))!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(Path.GetFullPath(dir))}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            File.WriteAllText(Path.Combine(temp, HuggingFaceCheckpoint.ConfigFile), Config(model, architecture).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            using (var scope = NewDisposeScope())
            using (var file = File.Create(Path.Combine(temp, HuggingFaceCheckpoint.WeightsFile)))
            {
                var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv =>
                {
                    var value = kv.Value.detach().cpu().to_type(ScalarType.Float32);
                    return (model.Config.Family == ModelFamily.Gpt2 && HuggingFaceCheckpoint.IsConv1D(kv.Key) ? value.t() : value).contiguous();
                });
                Safetensors.SaveStateDict(file, tensors, leaveOpen: true);
            }
            if (tokenizerFrom is not null) Text.TokenizerFiles.Copy(tokenizerFrom, temp);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.Move(temp, dir);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    static JsonObject Config(DecoderModel model, string architecture)
    {
        var c = model.Config;
        var json = new JsonObject { ["architectures"] = new JsonArray(architecture) };
        if (c.Family == ModelFamily.Gpt2)
        {
            json["model_type"] = "gpt2";
            json["vocab_size"] = c.VocabSize;
            json["n_embd"] = c.HiddenSize;
            json["n_layer"] = c.Layers;
            json["n_head"] = c.Heads;
            json["n_positions"] = c.MaxPositions;
            json["n_inner"] = c.IntermediateSize;
            json["layer_norm_epsilon"] = c.NormEps;
            json["activation_function"] = "gelu_new";
        }
        else
        {
            json["model_type"] = c.AttentionBias ? "qwen2" : "llama";
            json["vocab_size"] = c.VocabSize;
            json["hidden_size"] = c.HiddenSize;
            json["intermediate_size"] = c.IntermediateSize;
            json["num_hidden_layers"] = c.Layers;
            json["num_attention_heads"] = c.Heads;
            json["num_key_value_heads"] = c.KvHeads;
            json["max_position_embeddings"] = c.MaxPositions;
            json["rms_norm_eps"] = c.NormEps;
            json["rope_theta"] = c.RopeTheta;
            json["hidden_act"] = "silu";
            json["rope_scaling"] = c.RopeScaling is { } r
                ? new JsonObject
                {
                    ["rope_type"] = "llama3", ["factor"] = r.Factor, ["low_freq_factor"] = r.LowFreqFactor,
                    ["high_freq_factor"] = r.HighFreqFactor, ["original_max_position_embeddings"] = r.OriginalMaxPositions,
                }
                : null;
            if (!c.AttentionBias) json["attention_bias"] = false;
        }
        json["tie_word_embeddings"] = c.TieEmbeddings;
        json["torch_dtype"] = "float32";
        if (model.Kind == HeadKind.Reward)
        {
            json["num_labels"] = 1;
            json["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
            json["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
        }
        return json;
    }
}
