using System.Text.Json.Nodes;
using Eppo.Contracts;
using Eppo.Core.Preparation;
using Eppo.Core.Tasks;
using Eppo.Core.Tests.Adapters;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Preparation;

/// <summary>
/// sft.adapter: a PEFT adapter (written by the independent script from PEFT's code) merged into the SFT checkpoint
/// gives that script's merged logits; what cannot be merged is refused at start in one line.
/// </summary>
public sealed class SftAdapterTests : IDisposable
{
    readonly string dataRoot = Directory.CreateTempSubdirectory("eppo-sft-adapter-").FullName;

    public void Dispose() => Directory.Delete(dataRoot, recursive: true);

    static string Base(string adapterCase) =>
        Path.Combine(PeftAdapterTests.Bases, PeftAdapterTests.Reference.GetProperty("cases").GetProperty(adapterCase).GetProperty("base").GetString()!);

    static RunSpec Spec(string adapterCase, string? adapter = null) =>
        new() { Sft = new SftSpec { Source = Base(adapterCase), Adapter = adapter ?? Path.Combine(PeftAdapterTests.Fixtures, adapterCase) } };

    [Theory]
    [InlineData("llama-all-rslora-head")]   // rsLoRA on every linear, and a saved lm_head
    [InlineData("gpt2-conv1d")]             // fan_in_fan_out
    public void The_SFT_policy_is_the_source_checkpoint_with_the_adapter_merged_in(string adapterCase)
    {
        var spec = TrainingTasks.Validate(Spec(adapterCase), "spec");
        var (path, _) = ModelPreparation.PrepareSft(spec, dataRoot);
        Assert.StartsWith(dataRoot, path);
        var (model, _) = ModelStore.Load(path);
        using (model)
        using (NewDisposeScope())
            PeftAdapterTests.AssertClose(PeftAdapterTests.Reference.GetProperty("cases").GetProperty(adapterCase).GetProperty("merged"),
                PeftAdapterTests.Forward(model, adapter: null).Head, 1e-5, $"{adapterCase}: SFT policy's logits");
        Assert.Equal(path, ModelPreparation.PrepareSft(spec, dataRoot).Path);                 // cached: the same key
        Assert.NotEqual(path, ModelPreparation.PrepareSft(Spec("llama-qv-r4"), dataRoot).Path); // another adapter, another model
    }

    [Fact]
    public void A_spec_without_one_keeps_its_json_and_so_its_cached_models()
    {
        var sft = JsonNode.Parse(new RunSpec().ToJson())!["sft"]!.AsObject();
        Assert.False(sft.ContainsKey("adapter"));
    }

    [Fact]
    public void What_cannot_be_merged_is_refused_at_start_in_one_line()
    {
        // GPT-2's c_attn, c_proj, c_fc on a Llama base.
        var wrongBase = Assert.Throws<EppoException>(() => TrainingTasks.Validate(Spec("llama-qv-r4", Path.Combine(PeftAdapterTests.Fixtures, "gpt2-conv1d")), "spec"));
        Assert.Contains("adapter_config.json: field 'target_modules'", wrongBase.Message);
        Assert.Contains("q_proj", wrongBase.Message);                                          // names the linears there are

        var notAnAdapter = Assert.Throws<EppoException>(() => TrainingTasks.Validate(Spec("llama-qv-r4", Base("llama-qv-r4")), "spec"));
        Assert.Contains("field 'sft.adapter'", notAnAdapter.Message);

        var classifier = PeftAdapterTests.CopyFixture("llama-qv-r4");
        try
        {
            var configFile = Path.Combine(classifier, "adapter_config.json");
            var config = JsonNode.Parse(File.ReadAllText(configFile))!;
            config["task_type"] = "SEQ_CLS";
            File.WriteAllText(configFile, config.ToJsonString());
            var refused = Assert.Throws<EppoException>(() => TrainingTasks.Validate(Spec("llama-qv-r4", classifier), "spec"));
            Assert.Contains("field 'task_type'", refused.Message);
        }
        finally
        {
            Directory.Delete(classifier, recursive: true);
        }
        foreach (var message in new[] { wrongBase.Message, notAnAdapter.Message }) Assert.DoesNotContain('\n', message);
    }
}
