using Eppo.Core.Model;
using TorchSharp;

namespace Eppo.Core.Tests.Model;

public sealed class StateDictNamesTests
{
    static IEnumerable<string> PerLayer(int layers, Func<int, string[]> names) =>
        Enumerable.Range(0, layers).SelectMany(names);

    [Fact]
    public void LlamaKeysAreHuggingFaceNames()
    {
        using var model = new DecoderModel(ModelConfig.Tiny(ModelFamily.Llama));
        string[] expected =
        [
            "model.embed_tokens.weight",
            .. PerLayer(2, i =>
            [
                $"model.layers.{i}.self_attn.q_proj.weight", $"model.layers.{i}.self_attn.k_proj.weight",
                $"model.layers.{i}.self_attn.v_proj.weight", $"model.layers.{i}.self_attn.o_proj.weight",
                $"model.layers.{i}.mlp.gate_proj.weight", $"model.layers.{i}.mlp.up_proj.weight",
                $"model.layers.{i}.mlp.down_proj.weight",
                $"model.layers.{i}.input_layernorm.weight", $"model.layers.{i}.post_attention_layernorm.weight",
            ]),
            "model.norm.weight",
            "lm_head.weight",
        ];
        var state = model.state_dict();
        Assert.Equal(expected.Order(), state.Keys.Order());
        Assert.Equal([16L, 32L], state["model.layers.1.self_attn.k_proj.weight"].shape); // 2 KV heads × 8
        Assert.Equal([64L, 32L], state["model.layers.0.mlp.gate_proj.weight"].shape);
        Assert.Equal([50L, 32L], state["lm_head.weight"].shape);
    }

    [Fact]
    public void Gpt2KeysAreHuggingFaceNames()
    {
        using var model = new DecoderModel(ModelConfig.Tiny(ModelFamily.Gpt2));
        string[] expected =
        [
            "transformer.wte.weight", "transformer.wpe.weight",
            .. PerLayer(2, i => new[] { "ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj" }
                .SelectMany(m => new[] { $"transformer.h.{i}.{m}.weight", $"transformer.h.{i}.{m}.bias" }).ToArray()),
            "transformer.ln_f.weight", "transformer.ln_f.bias",
            "lm_head.weight",
        ];
        var state = model.state_dict();
        Assert.Equal(expected.Order(), state.Keys.Order());
        Assert.Equal([96L, 32L], state["transformer.h.0.attn.c_attn.weight"].shape); // nn.Linear (out, in)
        Assert.Equal([128L, 32L], state["transformer.h.1.mlp.c_fc.weight"].shape);
        Assert.Equal([128L, 32L], state["transformer.wpe.weight"].shape);
    }

    [Theory]
    [InlineData(ModelFamily.Llama, HeadKind.Value, "model.", "value_head.weight")]
    [InlineData(ModelFamily.Llama, HeadKind.Reward, "model.", "score.weight")]
    [InlineData(ModelFamily.Gpt2, HeadKind.Value, "transformer.", "value_head.weight")]
    [InlineData(ModelFamily.Gpt2, HeadKind.Reward, "transformer.", "score.weight")]
    public void ScalarHeadsUseTheirNames(ModelFamily family, HeadKind kind, string trunkPrefix, string headKey)
    {
        using var model = new DecoderModel(ModelConfig.Tiny(family), kind);
        var keys = model.state_dict().Keys.ToList();
        Assert.Equal([headKey], keys.Where(k => !k.StartsWith(trunkPrefix)));
        Assert.Equal([1L, 32L], model.state_dict()[headKey].shape);
    }

    [Fact]
    public void TiedHeadHasNoWeightOfItsOwnAndUsesTheEmbedding()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new DecoderModel(ModelConfig.Tiny(ModelFamily.Llama, tieEmbeddings: true), seed: 3);
        Assert.DoesNotContain("lm_head.weight", model.state_dict().Keys);
        var ids = torch.tensor(new long[] { 1, 2, 3 }).unsqueeze(0);
        var output = model.Forward(ids, torch.arange(3L).unsqueeze(0), torch.ones_like(ids));
        var expected = output.Hidden.matmul(model.state_dict()["model.embed_tokens.weight"].t());
        Assert.True(output.Head.allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void SeedFixesInitAndDifferentSeedsDiffer()
    {
        using var a = new DecoderModel(ModelConfig.Tiny(ModelFamily.Gpt2), seed: 5);
        using var b = new DecoderModel(ModelConfig.Tiny(ModelFamily.Gpt2), seed: 5);
        using var c = new DecoderModel(ModelConfig.Tiny(ModelFamily.Gpt2), seed: 6);
        foreach (var (name, tensor) in a.state_dict())
            Assert.True(tensor.eq(b.state_dict()[name]).all().item<bool>(), name);
        Assert.False(a.state_dict()["transformer.h.1.mlp.c_fc.weight"].eq(c.state_dict()["transformer.h.1.mlp.c_fc.weight"]).all().item<bool>());
        Assert.Equal(0, a.state_dict()["transformer.h.0.attn.c_attn.bias"].abs().sum().item<float>());
        Assert.Equal(32, a.state_dict()["transformer.ln_f.weight"].sum().item<float>());
    }
}
