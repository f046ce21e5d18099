using Eppo.Contracts.Messages;
using Eppo.Contracts;
using Eppo.Core.Adapters;
using Eppo.Core.Learning;
using Eppo.Core.Model;
using Eppo.Core.Tests.Iteration;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Learning;

/// <summary>A LoRA run on the tiny HackBench spec: one frozen base serves policy, reference and critic.</summary>
public sealed class AdapterLearnerTests : IClassFixture<AdapterLearnerTests.Prepared>
{
    readonly Prepared prepared;

    public AdapterLearnerTests(Prepared prepared) => this.prepared = prepared;

    public static RunSpec Spec(string critic = "adapter") => TinyRun.Spec("eppo", iterations: 3) with
    {
        Model = TinyRun.Spec().Model with { Adapter = new AdapterSpec { R = 4, Critic = critic } },
    };

    /// <summary>The SFT and reward models of the tiny spec, trained once for the class.</summary>
    public sealed class Prepared : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("eppo-lora-").FullName;
        public PreparedModels Models { get; }

        public Prepared() => Models = ModelPreparation.Prepare(Spec(), Root);

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    [Theory]
    [InlineData("adapter")]
    [InlineData("separate")]
    public void OnlyAdaptersAndHeadsTrainAndTheBaseStaysTheSftPolicy(string critic)
    {
        var spec = Spec(critic);
        using var pipeline = new LocalPipeline(spec, prepared.Models);
        var models = (AdapterModels)pipeline.Learner.Models;
        var adapterParameters = models.PolicyAdapter.parameters().Sum(p => p.numel());
        Assert.Equal(adapterParameters, models.ActorStep.Parameters.Sum(p => p.numel()));
        Assert.All(models.ActorStep.Parameters, p => Assert.True(p.requires_grad));
        // r 4 over the 14 linears of two Llama blocks (d 32, MLP 64, 2 of 4 heads for k/v): r·Σ(in + out).
        Assert.Equal(4L * 2 * ((32 + 32) + (32 + 16) + (32 + 16) + (32 + 32) + 2 * (32 + 64) + (64 + 32)), adapterParameters);
        if (critic == "adapter") Assert.Equal(adapterParameters + 32, models.CriticStep.Parameters.Sum(p => p.numel()));

        using var sft = ModelStore.Load(prepared.Models.SftPath).Model;
        var before = sft.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var metrics = Enumerable.Range(0, spec.Iterations).Select(pipeline.RunIteration).ToList();
        // Iteration 0's policy is the base (B = 0): its KL to the reference — the same base, adapter off — is exactly 0.
        Assert.Equal(0.0, metrics[0].Kl);
        Assert.True(metrics[^1].Kl != 0, "the adapter learned something");
        using var shared = FrozenModels.Acquire(prepared.Models.SftPath);
        foreach (var (name, value) in shared.Model.state_dict())
            Assert.True(value.eq(before[name]).all().item<bool>(), $"base tensor {name} changed");
    }

    [Fact]
    public void APolicyVersionOnTheWireIsItsAdapter()
    {
        using var lora = new LocalPipeline(Spec(), prepared.Models);
        using var full = new LocalPipeline(TinyRun.Spec("eppo", iterations: 3), prepared.Models);
        var adapterBytes = lora.Learner.PolicyChunks().Length;
        var fullBytes = full.Learner.PolicyChunks().Length;
        Assert.True(adapterBytes < fullBytes / 2, $"adapter {adapterBytes} B, full policy {fullBytes} B");
    }

    [Fact]
    public void ACheckpointRestoresTheLearnerAndLoadsAsTheMergedPolicy()
    {
        var spec = Spec();
        using var pipeline = new LocalPipeline(spec, prepared.Models);
        for (var i = 0; i < 2; i++) pipeline.RunIteration(i);
        var dir = Path.Combine(prepared.Root, $"checkpoint-{Guid.NewGuid():N}");
        pipeline.Learner.Save(dir);
        Assert.True(new FileInfo(Path.Combine(dir, "actor", "model.safetensors")).Length < new FileInfo(Path.Combine(prepared.Models.SftPath, "model.safetensors")).Length / 2);

        using var restored = new PpoLearner(spec, Core.HackBench.HackBenchTask.Instance.Codec, FrozenModels.Acquire(prepared.Models.SftPath), prepared.Models.SftPath);
        restored.Load(dir);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(pipeline.Learner.State), System.Text.Json.JsonSerializer.Serialize(restored.State));
        Assert.Equal(pipeline.Learner.PolicyChunks().Sha256, restored.PolicyChunks().Sha256);

        // An evaluation loads the actor as one model: the base with the adapter merged in.
        using var scope = NewDisposeScope();
        using var merged = ModelStore.Load(Path.Combine(dir, "actor")).Model;
        var models = (AdapterModels)pipeline.Learner.Models;
        using var shared = FrozenModels.Acquire(prepared.Models.SftPath);
        var ids = tensor(new long[,] { { 1, 5, 9, 12, 3, 7 } });
        var mask = ones_like(ids);
        using var noGrad = no_grad();
        var unmerged = shared.Model.Forward(ids, Positions.FromMask(mask), mask, adapter: models.PolicyAdapter).Head;
        var folded = merged.Forward(ids, Positions.FromMask(mask), mask).Head;
        Assert.True((unmerged - folded).abs().max().item<float>() < 1e-5);
        Assert.True((shared.Model.Forward(ids, Positions.FromMask(mask), mask).Head - folded).abs().max().item<float>() > 1e-4, "the adapter is in");

        // Exported as a PEFT adapter, it reads back onto the base as the same policy.
        var peft = Path.Combine(prepared.Root, $"peft-{Guid.NewGuid():N}");
        Assert.Equal(prepared.Models.SftPath, AdapterExport.Peft(Path.Combine(dir, "actor"), peft));
        using var exported = PeftAdapter.Read(peft, shared.Model);
        var again = shared.Model.Forward(ids, Positions.FromMask(mask), mask, adapter: exported.Adapter).Head;
        Assert.Equal(unmerged.data<float>().ToArray(), again.data<float>().ToArray());
    }
}
