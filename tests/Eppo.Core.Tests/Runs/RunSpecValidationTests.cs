using System.Text.Json.Nodes;
using Eppo.Contracts;
using Eppo.Core.Tasks;
using Eppo.Tests;

namespace Eppo.Core.Tests.Runs;

/// <summary>
/// One row per validation rule of the run spec: a copy of deploy/examples/tiny.json with one field made bad is refused
/// at start with one line naming the file and that field. And every shipped example is accepted.
/// </summary>
public sealed class RunSpecValidationTests
{
    static readonly string Tiny = File.ReadAllText(RepoRoot.Path("deploy", "examples", "tiny.json"));

    static string Mutated(string path, JsonNode? value)
    {
        var root = JsonNode.Parse(Tiny, null, new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
        var parts = path.Split('.');
        var section = root;
        foreach (var part in parts[..^1]) section = (section[part] ??= new JsonObject()).AsObject();
        section[parts[^1]] = value;
        return root.ToJsonString();
    }

    static string Refused(string json) => Assert.Throws<EppoException>(() => TrainingTasks.Parse(json, "spec.json")).Message;

    public static TheoryData<string, string, string> Rules => new()
    {
        // field, bad value (JSON), what the message must say besides the field
        { "name", "\"a b\"", "letters" },
        { "task", "\"\"", "name a task" },
        { "prompts_file", "\"/no/such/prompts.jsonl\"", "not found" },
        { "prompts", "0", "1..10000000" },
        { "prompts", "10000001", "1..10000000" },
        { "method", "\"reinforce\"", "eppo-kl" },
        { "probe_site", "\"lm_head\"", "down_proj" },
        { "eta", "-1", "[0, 1000]" },
        { "eta", "1e300", "1E+300" },
        { "energy_floor", "2", "[0, 1]" },
        { "reward_clip", "0", "(0, 1000]" },
        { "kl_beta", "1e300", "[0, 100]" },
        { "kl_target", "0", "(0, 1000]" },
        { "kl_horizon", "0", "[1, 1E+09]" },
        { "length_scale", "0", "(0, 1E+06]" },
        { "iterations", "0", "1..10000000" },
        { "iterations", "1e20", "Int32" },
        { "batch_size", "0", "1..65536" },
        { "batch_size", "100000", "1..65536" },
        { "mini_batch_size", "5", "divide batch_size" },
        { "ppo_epochs", "0", "1..100" },
        { "actor_lr", "1e300", "(0, 1]" },
        { "actor_lr", "0", "(0, 1]" },
        { "critic_lr", "2", "(0, 1]" },
        { "gamma", "0", "(0, 1]" },
        { "lambda", "1.5", "[0, 1]" },
        { "clip_eps", "0", "(0, 1]" },
        { "value_clip_eps", "-1", "(0, 100]" },
        { "max_new_tokens", "0", "1..4096" },
        { "max_new_tokens", "60", "positions" },
        { "temperature", "0", "(0, 100]" },
        { "top_k", "-1", "0 = off" },
        { "top_p", "0", "(0, 1]" },
        { "checkpoint_interval", "0", "1..10000000" },
        { "prompt_shards", "0", "1..256" },
        { "generators", "3", "divide batch_size" },
        { "scorers", "0", "divide batch_size" },
        { "learners", "0", "1..64" },
        { "learners", "100000", "1..64" },
        { "model.family", "\"rnn\"", "llama or gpt2" },
        { "model.hidden_size", "0", "1..65536" },
        { "model.layers", "2000", "1..1024" },
        { "model.heads", "3", "divide hidden_size" },
        { "model.kv_heads", "3", "divide heads" },
        { "model.intermediate_size", "0", "1..262144" },
        { "sft.source", "\"/no/such/sft\"", "neither \"train\" nor an existing checkpoint directory" },
        { "sft.steps", "0", "1..10000000" },
        { "sft.batch_size", "0", "1..65536" },
        { "sft.lr", "1e300", "(0, 1]" },
        { "sft.examples", "0", "1..10000000" },
        { "reward.source", "\"\"", "checkpoint directory" },
        { "reward.source", "\"ensemble\"", "neither a reward source (\"train\", \"gold\", \"checkpoints\")" },
        { "reward.checkpoints", "[\"/tmp\"]", "only used" },
        { "reward.members", "0", "1..16" },
        { "reward.combine", "\"median\"", "single, mean" },
        { "reward.pairs", "0", "1..10000000" },
        { "reward.responses_per_prompt", "1", "2..16" },
        { "reward.epochs", "0", "1..1000" },
        { "reward.batch_size", "0", "1..65536" },
        { "reward.lr", "1e300", "(0, 1]" },
        { "reward.flip_probability", "0.5", "[0, 0.5)" },
        { "reward.length_bias", "1e300", "[-100, 100]" },
        { "reward.caution_bias", "-1000", "[-100, 100]" },
        { "hackbench.sft_imperfect", "1.5", "[0, 1]" },
        { "hackbench.sft_caution", "-0.1", "[0, 1]" },
        { "hackbench.sft_imperfect", "0.95", "add up to 1.05" },
        { "unknown_field", "1", "could not be mapped" },
    };

    [Theory, MemberData(nameof(Rules))]
    public void A_bad_field_is_refused_naming_it(string field, string value, string says)
    {
        var message = Refused(Mutated(field, JsonNode.Parse(value)));
        Assert.StartsWith($"spec.json: field '{field}'", message);
        Assert.Contains(says, message);
        Assert.DoesNotContain("\n", message);
    }

    [Fact]
    public void A_model_too_large_for_any_machine_is_refused_naming_its_sizes()
    {
        var json = Mutated("model", JsonNode.Parse("{\"hidden_size\": 65536, \"layers\": 1024, \"heads\": 64, \"kv_heads\": 64, \"intermediate_size\": 262144}"));
        var message = Refused(json);
        Assert.StartsWith("spec.json: fields 'model.hidden_size'", message);
        Assert.Contains("GiB (limit 256 GiB)", message);
    }

    [Fact]
    public void Every_shipped_example_is_accepted()
    {
        var examples = Directory.GetFiles(RepoRoot.Path("deploy", "examples"), "*.json");
        Assert.NotEmpty(examples);
        var policy = Directory.CreateTempSubdirectory("eppo-example-policy-").FullName;
        try
        {
            foreach (var file in examples)
            {
                var json = JsonNode.Parse(File.ReadAllText(file), null,
                    new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
                if (json["text"] is JsonObject text)
                {
                    // The text example's documented first step (`eppo model create --shape tiny-gpt2`), and its repo-relative data.
                    using (var model = new Core.Model.DecoderModel(Core.Model.ModelShapes.Get("tiny-gpt2"), Core.Model.HeadKind.LanguageModel, seed: 1))
                        Core.Checkpoints.HuggingFaceExport.Save(model, policy);
                    Core.Text.Gpt2TokenizerFiles.Write(policy);
                    text["policy"] = policy;
                    text["data"] = RepoRoot.Path(text["data"]!.GetValue<string>());
                }
                var spec = TrainingTasks.Parse(json.ToJsonString(), file);
                Assert.Equal(Path.GetFileNameWithoutExtension(file), spec.Name);
            }
        }
        finally
        {
            Directory.Delete(policy, recursive: true);
        }
    }
}
