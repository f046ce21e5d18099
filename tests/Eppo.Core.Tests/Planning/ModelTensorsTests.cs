using Eppo.Contracts;
using Eppo.Core.Adapters;
using Eppo.Core.Learning;
using Eppo.Core.Model;
using Eppo.Core.Planning;
using Eppo.Core.Tasks;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Planning;

/// <summary>The plan's state dicts, counted from a config, against the modules libtorch builds (small ones, on the CPU).</summary>
public sealed class ModelTensorsTests
{
    static readonly ModelConfig Gqa = ModelConfig.Tiny(vocabSize: 37, hiddenSize: 48, layers: 3, heads: 6) with { AttentionBias = true };
    static readonly ModelConfig Gpt2 = ModelConfig.Tiny(ModelFamily.Gpt2, vocabSize: 37, hiddenSize: 48, layers: 3, heads: 6, tieEmbeddings: true);

    public static TheoryData<string, HeadKind, string> Models => new()
    {
        { "llama", HeadKind.LanguageModel, "float32" },
        { "llama", HeadKind.LanguageModel, "bfloat16" },
        { "llama", HeadKind.Value, "float32" },
        { "llama", HeadKind.Reward, "float32" },
        { "llama-tied", HeadKind.LanguageModel, "float16" },
        { "gpt2", HeadKind.LanguageModel, "float32" },
        { "gpt2", HeadKind.LanguageModel, "bfloat16" },
        { "gpt2", HeadKind.Value, "float32" },
        { "gpt2-untied", HeadKind.LanguageModel, "float32" },
    };

    static ModelConfig Config(string name) => name switch
    {
        "llama" => Gqa,
        "llama-tied" => Gqa with { TieEmbeddings = true },
        "gpt2" => Gpt2,
        _ => Gpt2 with { TieEmbeddings = false },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void TheCountedStateDictIsTheModelsNameByNameInOrder(string name, HeadKind kind, string dtype)
    {
        var config = Config(name);
        var type = WeightDtypes.Parse(dtype);
        using var model = DecoderModel.ToOverwrite(config, kind, dtype: type);
        AssertSame(model.state_dict(), ModelTensors.Of(config, kind, type));
        Assert.Equal(model.parameters().Sum(p => p.numel()), ModelTensors.Elements(ModelTensors.Of(config, kind, type)));
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("gpt2-untied")]
    public void TheCountedLinearsAreTheModelsProjections(string name)
    {
        var config = Config(name);
        using var model = DecoderModel.ToOverwrite(config, HeadKind.LanguageModel);
        Assert.Equal(model.Projections.Select(p => (p.Path, p.InFeatures, p.OutFeatures)),
            ModelLinears.Of(config).Select(l => (l.Path, l.In, l.Out)));
    }

    [Theory]
    [InlineData("llama", "all-linear")]
    [InlineData("llama", "q_proj,v_proj")]
    [InlineData("llama", "lm_head,o_proj")]
    [InlineData("gpt2", "all-linear")]
    [InlineData("gpt2", "c_attn")]
    public void TheCountedAdapterAndAdapterCriticAreTheModules(string name, string targets)
    {
        var config = Config(name);
        var lora = new LoraConfig(3, 6, LoraTargets.Of(targets.Split(',')));
        using var model = DecoderModel.ToOverwrite(config, HeadKind.LanguageModel);
        using var adapter = new LoraAdapter(lora, model, seed: 1);
        AssertSame(adapter.state_dict(), ModelTensors.Adapter(config, lora));
        using var critic = new AdapterCritic(lora, model, 2, 3);
        AssertSame(critic.state_dict(), ModelTensors.AdapterCritic(config, lora));
    }

    /// <summary>The plan's bytes per policy version are exactly what the learner publishes: the whole model, or the adapter.</summary>
    [Theory]
    [InlineData("llama", 0)]
    [InlineData("llama", 4)]
    [InlineData("gpt2", 0)]
    [InlineData("gpt2", 4)]
    public void PolicyBytesOnTheWireAreExactlyWhatTheLearnerPublishes(string name, int rank)
    {
        var config = Config(name);
        using var sft = new DecoderModel(config, seed: 5);
        var spec = new RunSpec
        {
            BatchSize = 4, MiniBatchSize = 4, Generators = 2, Scorers = 1,
            Model = rank > 0 ? new ModelSpec { Adapter = new AdapterSpec { R = rank } } : new ModelSpec(),
        };
        using var learner = new PpoLearner(spec, TaskCodec.Synthetic(config.VocabSize), sft);
        var wire = WireBytes.Of(config, PlanRun.From(spec) with { PromptTokens = 4 });
        Assert.Equal(learner.PolicyChunks(chunkBytes: 1000).Length, wire.PolicyVersion);
        Assert.Equal(2 * wire.PolicyVersion, wire.PolicyToGenerators);
    }

    static void AssertSame(IEnumerable<KeyValuePair<string, Tensor>> module, IReadOnlyList<TensorShape> counted)
    {
        var actual = module.Select(kv => (kv.Key, string.Join("×", kv.Value.shape), kv.Value.dtype)).ToList();
        Assert.Equal(actual, counted.Select(t => (t.Name, string.Join("×", t.Shape), t.Dtype)).ToList());
    }
}
