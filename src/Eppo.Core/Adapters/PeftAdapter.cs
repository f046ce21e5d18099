using Eppo.Core.Checkpoints;
using Eppo.Core.Model;

namespace Eppo.Core.Adapters;

/// <summary>
/// A PEFT LoRA adapter directory: adapter_config.json (<see cref="PeftConfig"/>) and adapter_model.safetensors, whose
/// keys are PEFT's: "base_model.model." + the adapted module's path + ".lora_A.weight" (r, in) / ".lora_B.weight"
/// (out, r), and modules_to_save under their plain path ("base_model.model.lm_head.weight"). GPT-2's Conv1D layers
/// get fan_in_fan_out = true, as PEFT sets it; the unmerged math does not depend on it.
/// </summary>
public static class PeftAdapter
{
    public const string WeightsFile = "adapter_model.safetensors";
    public const string Prefix = "base_model.model.";

    public static bool IsAdapter(string dir) => File.Exists(Path.Combine(dir, PeftConfig.FileName));

    /// <summary>An adapter directory read onto a base, with its modules_to_save tensors by module path.</summary>
    public sealed record Loaded(LoraAdapter Adapter, PeftConfig Config, IReadOnlyDictionary<string, Tensor> ModulesToSave) : IDisposable
    {
        /// <summary>Puts the saved modules (a trained lm_head, say) into <paramref name="model"/>, whose weights they replace.</summary>
        public void ApplyModulesToSave(DecoderModel model)
        {
            var state = model.state_dict();
            using var noGrad = no_grad();
            foreach (var (name, tensor) in ModulesToSave)
            {
                if (!state.TryGetValue(name, out var target))
                    throw new EppoException($"adapter: modules_to_save tensor '{Prefix}{name}' has no place in a {model.Kind} model (its tensors: {string.Join(", ", state.Keys.Where(k => !k.Contains(".layers.") && !k.Contains(".h.")))})");
                if (!target.shape.SequenceEqual(tensor.shape))
                    throw new EppoException($"adapter: tensor '{Prefix}{name}' has shape [{string.Join(", ", tensor.shape)}], the model's '{name}' is [{string.Join(", ", target.shape)}]");
                target.copy_(tensor);
            }
        }

        public void Dispose()
        {
            Adapter.Dispose();
            foreach (var tensor in ModulesToSave.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// Reads <paramref name="dir"/> for <paramref name="baseModel"/>: every tensor named and shaped as the base's linears
    /// say, or one line naming the tensor. Nothing half-loaded is returned.
    /// </summary>
    public static Loaded Read(string dir, DecoderModel baseModel)
    {
        if (!Directory.Exists(dir)) throw new EppoException($"{dir}: adapter directory not found");
        var config = PeftConfig.Read(Path.Combine(dir, PeftConfig.FileName));
        var weights = Path.Combine(dir, WeightsFile);
        if (!File.Exists(weights))
            throw new EppoException(File.Exists(Path.Combine(dir, "adapter_model.bin"))
                ? $"{dir}: adapter_model.bin is a pickle; save the adapter with safetensors (PEFT's default)"
                : $"{weights}: file not found");
        if (config.TaskType is not ("CAUSAL_LM" or "SEQ_CLS" or "TOKEN_CLS"))
            throw new EppoException($"{Path.Combine(dir, PeftConfig.FileName)}: field 'task_type': '{config.TaskType}' is not supported (CAUSAL_LM, SEQ_CLS, TOKEN_CLS)");
        var file = SafetensorsFile.Open(weights);
        var adapter = LoraAdapter.ToOverwrite(config.Lora, baseModel);
        var saved = new Dictionary<string, Tensor>();
        try
        {
            var expected = adapter.state_dict();
            var stored = new HashSet<string>(file.Entries.Keys);
            foreach (var (name, tensor) in expected)
            {
                var key = Prefix + name;
                if (!stored.Remove(key))
                    throw new EppoException($"{weights}: tensor '{key}' is missing (the config's target_modules adapt {adapter.Paths.Count} linears of the base)");
                try
                {
                    file.ReadInto(key, tensor);
                }
                catch (SafetensorsFile.ShapeMismatchException e)
                {
                    throw new EppoException($"{weights}: tensor '{key}' has shape [{string.Join(", ", e.Stored)}], the base's linear expects [{string.Join(", ", tensor.shape)}]");
                }
            }
            foreach (var module in config.ModulesToSave ?? [])
                foreach (var key in stored.Where(k => k.StartsWith($"{Prefix}{module}.", StringComparison.Ordinal)).ToList())
                {
                    saved[key[Prefix.Length..]] = file.Read(key);
                    stored.Remove(key);
                }
            if (stored.Count > 0)
                throw new EppoException($"{weights}: tensor '{stored.Order().First()}' is not a LoRA tensor of the configured targets nor a module to save" +
                                        (stored.Count > 1 ? $" (and {stored.Count - 1} more)" : ""));
            return new Loaded(adapter, config, saved);
        }
        catch
        {
            adapter.Dispose();
            foreach (var tensor in saved.Values) tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="adapter"/> as a PEFT adapter directory (atomically), for a base described by
    /// <paramref name="baseModel"/> (its family sets fan_in_fan_out).
    /// </summary>
    public static void Write(string dir, LoraAdapter adapter, DecoderModel baseModel, string? baseName = null)
    {
        var config = new PeftConfig(adapter.Config, "CAUSAL_LM", baseName, FanInFanOut: baseModel.Config.Family == ModelFamily.Gpt2);
        using var scope = NewDisposeScope();
        var tensors = adapter.state_dict().Select(kv => (Prefix + kv.Key, kv.Value.detach().to(ScalarType.Float32))).ToList();
        AtomicDirectory.Write(dir, temp =>
        {
            File.WriteAllText(Path.Combine(temp, PeftConfig.FileName), config.ToJson());
            using var stream = File.Create(Path.Combine(temp, WeightsFile));
            SafetensorsWriter.Plan(tensors, new Dictionary<string, string> { ["format"] = "pt" }).WriteTo(stream);
        });
    }
}
