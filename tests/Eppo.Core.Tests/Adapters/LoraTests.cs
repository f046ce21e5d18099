using Eppo.Contracts;
using Eppo.Core.Adapters;
using Eppo.Core.Model;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Adapters;

public sealed class LoraTests
{
    [Theory]
    [InlineData(ModelFamily.Llama)]
    [InlineData(ModelFamily.Gpt2)]
    public void AFreshAdapterLeavesEveryLogitAndEnergyAsTheBaseHasThem(ModelFamily family)
    {
        // B = 0: iteration 0 of a LoRA run is the SFT policy exactly, bit for bit.
        using var scope = NewDisposeScope();
        using var model = new DecoderModel(ModelConfig.Tiny(family), seed: 3, initStd: 0.2);
        using var adapter = new LoraAdapter(new LoraConfig(4, 8, LoraTargets.Of([LoraTargets.AllLinearName])), model, seed: 5);
        var ids = tensor(new long[,] { { 1, 7, 9, 2, 30 }, { 4, 4, 18, 40, 0 } });
        var mask = ones_like(ids);
        using var noGrad = no_grad();
        var plain = model.Forward(ids, Positions.FromMask(mask), mask);
        var adapted = model.Forward(ids, Positions.FromMask(mask), mask, adapter: adapter);
        Assert.Equal(plain.Head.data<float>().ToArray(), adapted.Head.data<float>().ToArray());
        Assert.Equal(plain.Energy.data<float>().ToArray(), adapted.Energy.data<float>().ToArray());
    }

    [Fact]
    public void InitAndScaleFollowPeft()
    {
        using var model = new DecoderModel(ModelConfig.Tiny(), seed: 3);
        using var adapter = new LoraAdapter(new LoraConfig(4, 8, LoraTargets.Of(["down_proj"])), model, seed: 5);
        var layer = adapter.Layer("model.layers.1.mlp.down_proj")!;
        var bound = 1 / Math.Sqrt(layer.A.shape[1]);   // Kaiming-uniform with a = √5: U(−1/√in, 1/√in)
        Assert.Equal([4L, 64L], layer.A.shape);
        Assert.Equal([32L, 4L], layer.B.shape);
        Assert.True(layer.A.abs().max().item<float>() <= bound && layer.A.abs().max().item<float>() > 0.5 * bound);
        Assert.Equal(0f, layer.B.abs().max().item<float>());
        Assert.Equal(2.0, adapter.Config.Scale);
        Assert.Equal(4.0, (adapter.Config with { RsLora = true }).Scale);  // α/√r
        using var again = new LoraAdapter(adapter.Config, model, seed: 5);
        Assert.Equal(layer.A.data<float>().ToArray(), again.Layer("model.layers.1.mlp.down_proj")!.A.data<float>().ToArray());
    }

    [Fact]
    public void TargetsMatchAsPeftMatchesThem()
    {
        using var llama = new DecoderModel(ModelConfig.Tiny());
        using var gpt2 = new DecoderModel(ModelConfig.Tiny(ModelFamily.Gpt2));
        Assert.Equal(["model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.q_proj"], LoraTargets.Of(["q_proj"]).Resolve(llama).Select(p => p.Path));
        // A name matches every module whose path ends with it: GPT-2's c_proj is in attention and in the MLP.
        Assert.Equal(4, LoraTargets.Of(["c_proj"]).Resolve(gpt2).Count);
        // all-linear: every linear of the blocks, not the output layer.
        var all = LoraTargets.Of(["all-linear"]).Resolve(llama).Select(p => p.Path).ToList();
        Assert.Equal(14, all.Count);
        Assert.DoesNotContain("lm_head", all);
        Assert.Equal(["model.layers.0.mlp.up_proj"], LoraTargets.Regex(@"model\.layers\.0\.mlp\.up_proj").Resolve(llama).Select(p => p.Path));
        var e = Assert.Throws<EppoException>(() => LoraTargets.Of(["c_attn"]).Resolve(llama));
        Assert.Equal("model.adapter.targets: [c_attn] match no module; the model's linear modules are: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj", e.Message);
    }

    [Fact]
    public void ASixteenBitBaseComputesWithinItsRoundingOfTheFp32One()
    {
        // bf16 keeps 8 bits of mantissa (relative rounding 2⁻⁹): the stated tolerance is 2% of the largest logit, against
        // the fp32 computation on the same rounded weights (the matmuls' inputs rounded too) and on the unrounded ones.
        using var scope = NewDisposeScope();
        using var fp32 = new DecoderModel(ModelConfig.Tiny(), seed: 3, initStd: 0.2);
        using var bf16 = DecoderModel.ToOverwrite(fp32.Config, HeadKind.LanguageModel, dtype: ScalarType.BFloat16);
        using var rounded = DecoderModel.ToOverwrite(fp32.Config, HeadKind.LanguageModel);
        using (no_grad())
        {
            var from = fp32.state_dict();
            foreach (var (name, p) in bf16.state_dict()) p.copy_(from[name]);
            var half = bf16.state_dict();
            foreach (var (name, p) in rounded.state_dict()) p.copy_(half[name]);
        }
        Assert.All(bf16.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        var ids = tensor(new long[,] { { 1, 7, 9, 2, 30, 11 } });
        var mask = ones_like(ids);
        using var noGrad = no_grad();
        var exact = fp32.Forward(ids, Positions.FromMask(mask), mask);
        var onRounded = rounded.Forward(ids, Positions.FromMask(mask), mask);
        var half16 = bf16.Forward(ids, Positions.FromMask(mask), mask);
        Assert.Equal(ScalarType.Float32, half16.Head.dtype);
        var scale = exact.Head.abs().max().item<float>();
        var vsRounded = (half16.Head - onRounded.Head).abs().max().item<float>() / scale;
        var vsExact = (half16.Head - exact.Head).abs().max().item<float>() / scale;
        Assert.True(vsRounded < 2e-2, $"bf16 compute vs fp32 on the same weights: {vsRounded:P2} of the largest logit ({scale})");
        Assert.True(vsExact < 2e-2, $"bf16 vs fp32 weights: {vsExact:P2} of the largest logit ({scale})");
        Assert.True(vsExact > 0, "a bf16 base must not silently compute in fp32 on unrounded weights");
    }

    [Theory]
    [InlineData(ModelFamily.Llama, false)]
    [InlineData(ModelFamily.Llama, true)]
    [InlineData(ModelFamily.Gpt2, true)]
    public void LinearsCountedFromTheConfigAreTheModelsProjections(ModelFamily family, bool tied)
    {
        var config = ModelConfig.Tiny(family, tieEmbeddings: tied);
        using var model = DecoderModel.ToOverwrite(config, HeadKind.LanguageModel);
        Assert.Equal(model.Projections.Select(p => p.Path), ModelLinears.Paths(config));
    }

    [Fact]
    public void TargetsThatMatchNoLinearAreRefusedAtStart()
    {
        var spec = Iteration.TinyRun.Spec() with { Model = Iteration.TinyRun.Spec().Model with { Adapter = new AdapterSpec { Targets = ["c_attn"] } } };
        var e = Assert.Throws<EppoException>(() => Tasks.TrainingTasks.Validate(spec, "spec.json"));
        Assert.Equal("spec.json: field 'model.adapter.targets': [c_attn] match no module; the model's linear modules are: " +
                     "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj", e.Message);
        Tasks.TrainingTasks.Validate(spec with { Model = spec.Model with { Adapter = new AdapterSpec { Targets = ["q_proj", "v_proj"] } } }, "spec.json");
    }
}
