using static TorchSharp.torch;
using Eppo.Core.Preparation;

namespace Eppo.Core.Tests.Preparation;

/// <summary>ODIN's and InfoRM's losses (and their gradients) against an independent PyTorch implementation, and by hand.</summary>
public sealed class RewardLossesTests
{
    // Six responses, four pairs among them (K-wise: responses 0 and 3 appear twice).
    static readonly float[] Quality = [0.3f, -1.2f, 0.8f, 0.1f, -0.4f, 1.5f];
    static readonly float[] Length = [0.9f, 0.2f, -0.3f, 1.1f, 0.0f, -0.7f];
    static readonly float[] Lengths = [7, 3, 5, 12, 4, 9];
    static readonly float[] HeadWeight = [0.2f, -0.5f, 0.3f, 0.7f, 0.1f, -0.4f]; // (2, 3)
    static readonly long[] Chosen = [0, 2, 3, 5];
    static readonly long[] Rejected = [1, 0, 4, 3];
    static readonly float[] Mean = [0.5f, -0.2f, 0.0f, 1.0f, -0.3f, 0.4f, 0.2f, 0.1f, -0.6f, 0.0f, 0.3f, -0.1f]; // (6, 2)
    static readonly float[] LogVariance = [0.1f, -0.3f, 0.0f, 0.2f, -0.5f, 0.4f, 0.0f, 0.0f, 0.3f, -0.2f, 0.1f, 0.2f];

    const string Reference = """
        q = T(inp["quality"]).requires_grad_(); l = T(inp["length"]).requires_grad_(); L = T(inp["lengths"])
        W = T(inp["weight"]).reshape(2, 3)
        c = torch.tensor(inp["chosen"]); r = torch.tensor(inp["rejected"])
        def bt(s): return -torch.nn.functional.logsigmoid(s[c] - s[r]).mean()
        def rho(x, y):
            dx = x - x.mean(); dy = y - y.mean()
            return (dx * dy).sum() / (torch.sqrt((dx * dx).sum() * (dy * dy).sum()) + 1e-8)
        odin = bt(q + l) + inp["lw"] * (torch.abs(rho(q, L)) - rho(l, L)) + inp["ow"] * torch.abs(torch.dot(W[0], W[1]))
        odin.backward()
        out["odin"] = odin; out["dq"] = q.grad; out["dl"] = l.grad; out["rho"] = rho(q, L)
        mu = T(inp["mean"]).reshape(6, 2); lv = T(inp["logvar"]).reshape(6, 2)
        kl = (-0.5 * (1 + lv - mu ** 2 - lv.exp()).sum(-1)).mean()
        out["kl"] = kl
        out["inform"] = bt(T(inp["quality"])) + inp["beta"] * kl
        """;

    static readonly Lazy<System.Text.Json.Nodes.JsonObject> Torch = new(() => PyTorchOracle.Run(Reference, new
    {
        quality = Quality, length = Length, lengths = Lengths, weight = HeadWeight, chosen = Chosen, rejected = Rejected,
        lw = 0.7, ow = 1.3, mean = Mean, logvar = LogVariance, beta = 0.25,
    }));

    [Fact]
    public void OdinLossAndItsGradientsMatchTorch()
    {
        using var scope = NewDisposeScope();
        var q = tensor(Quality).requires_grad_(true);
        var l = tensor(Length).requires_grad_(true);
        var loss = RewardLosses.Odin(q, l, tensor(Lengths), tensor(HeadWeight, [2, 3]), Chosen, Rejected, 0.7, 1.3);
        loss.backward();
        Assert.Equal(Torch.Value["odin"]!.Double(), loss.item<float>(), 5);
        Assert.Equal(Torch.Value["rho"]!.Double(), RewardLosses.Correlation(tensor(Quality), tensor(Lengths)).item<float>(), 5);
        var (dq, dl) = (Torch.Value["dq"]!.Doubles(), Torch.Value["dl"]!.Doubles());
        for (var i = 0; i < Quality.Length; i++)
        {
            Assert.Equal(dq[i], q.grad!.data<float>()[i], 5);
            Assert.Equal(dl[i], l.grad!.data<float>()[i], 5);
        }
    }

    [Fact]
    public void InfoRmLossIsBradleyTerryPlusBetaTimesTheGaussianKl()
    {
        using var scope = NewDisposeScope();
        var mean = tensor(Mean, [6, 2]);
        var logVariance = tensor(LogVariance, [6, 2]);
        Assert.Equal(Torch.Value["kl"]!.Double(), RewardLosses.GaussianKl(mean, logVariance).item<float>(), 5);
        Assert.Equal(Torch.Value["inform"]!.Double(), RewardLosses.InfoRm(tensor(Quality), mean, logVariance, Chosen, Rejected, 0.25).item<float>(), 5);
    }

    [Fact]
    public void TheKlTermIsZeroAtTheStandardNormalAndHalfMuSquaredAtUnitVariance()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0f, RewardLosses.GaussianKl(zeros(4, 8), zeros(4, 8)).item<float>());
        // μ = 1, σ = 1 in 3 dimensions: ½·Σ μ² = 1.5 per row.
        Assert.Equal(1.5f, RewardLosses.GaussianKl(ones(2, 3), zeros(2, 3)).item<float>(), 6);
    }

    [Fact]
    public void CorrelationIsZeroForAConstantAndOneForALinearFunction()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0f, RewardLosses.Correlation(tensor(Quality), full(6, 3f)).item<float>());
        Assert.Equal(-1f, RewardLosses.Correlation(tensor(Lengths), tensor(Lengths) * -2 + 1).item<float>(), 5);
    }
}
