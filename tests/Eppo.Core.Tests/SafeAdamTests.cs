using static TorchSharp.torch;

namespace Eppo.Core.Tests;

/// <summary>SafeAdam takes TorchSharp's own Adam and AdamW steps bit for bit: same parameters and moments after many steps.</summary>
public sealed class SafeAdamTests
{
    static (nn.Module<Tensor, Tensor> Model, Tensor Input) Net(int seed)
    {
        manual_seed(seed);
        var model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3));
        manual_seed(seed + 1);
        return (model, randn(8, 6));
    }

    static void Train(nn.Module<Tensor, Tensor> model, Tensor input, optim.Optimizer optimizer, bool safe, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            // A loss whose gradients change every step (the input is scaled by the step).
            var loss = (model.forward(input * (1 + 0.1 * i)).pow(2)).mean();
            loss.backward();
            if (safe) SafeAdam.Step(optimizer);
            else optimizer.step();
        }
    }

    [Theory]
    [InlineData("adam", 0.0)]
    [InlineData("adam", 0.01)]
    [InlineData("adamw", 0.0)]
    [InlineData("adamw", 0.05)]
    public void StepsAreBitIdenticalToTorchSharps(string kind, double weightDecay)
    {
        var (reference, input) = Net(3);
        var (safe, _) = Net(3);
        optim.Optimizer Make(nn.Module<Tensor, Tensor> m) => kind == "adam"
            ? optim.Adam(m.parameters(), 3e-2, weight_decay: weightDecay)
            : optim.AdamW(m.parameters(), 3e-2, weight_decay: weightDecay);
        using var referenceOptimizer = Make(reference);
        using var safeOptimizer = Make(safe);
        Train(reference, input, referenceOptimizer, safe: false, steps: 25);
        Train(safe, input, safeOptimizer, safe: true, steps: 25);

        foreach (var ((name, a), (_, b)) in reference.named_parameters().Zip(safe.named_parameters()))
            Assert.True(Bits(a).SequenceEqual(Bits(b)), $"{kind}: parameter {name} differs");
        var referenceState = Moments(referenceOptimizer);
        var safeState = Moments(safeOptimizer);
        Assert.Equal(referenceState.Count, safeState.Count);
        foreach (var (a, b) in referenceState.Zip(safeState))
        {
            Assert.Equal(a.Step, b.Step);
            Assert.True(Bits(a.First).SequenceEqual(Bits(b.First)), $"{kind}: first moments differ");
            Assert.True(Bits(a.Second).SequenceEqual(Bits(b.Second)), $"{kind}: second moments differ");
        }
    }

    static int[] Bits(Tensor t) => t.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    static List<(long Step, Tensor First, Tensor Second)> Moments(optim.Optimizer optimizer) =>
        ((TorchSharp.Modules.OptimizerHelper)optimizer).state_dict().State.Select(s => s switch
        {
            TorchSharp.Modules.Adam.State a => (a.step, a.exp_avg, a.exp_avg_sq),
            TorchSharp.Modules.AdamW.State w => (w.step, w.exp_avg, w.exp_avg_sq),
            _ => throw new InvalidOperationException(s.GetType().Name),
        }).ToList();
}
