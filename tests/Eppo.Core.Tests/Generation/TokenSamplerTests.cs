using Eppo.Core.Generation;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Generation;

public sealed class TokenSamplerTests
{
    [Fact]
    public void TopKKeepsTheKLargestPerRow()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[,] { { 1, 3, 2, 0 }, { 5, -1, 4, 6 } });
        var kept = TokenSampler.KeepTopK(logits, 2).data<float>().ToArray();
        var inf = float.NegativeInfinity;
        Assert.Equal([inf, 3, 2, inf, 5, inf, inf, 6], kept);
    }

    [Theory]
    [InlineData(0.7, new[] { true, true, false, false })]   // 0.5 + 0.3 reaches 0.7
    [InlineData(0.5, new[] { true, false, false, false })]  // the top token alone reaches 0.5
    [InlineData(0.96, new[] { true, true, true, true })]
    [InlineData(0.01, new[] { true, false, false, false })] // the top token always stays
    public void TopPKeepsTheSmallestSetReachingP(double p, bool[] keep)
    {
        using var scope = NewDisposeScope();
        var probabilities = new[] { 0.15, 0.5, 0.05, 0.3 };   // sorted: 0.5, 0.3, 0.15, 0.05
        var logits = tensor(probabilities.Select(x => (float)Math.Log(x)).ToArray()).unsqueeze(0);
        var kept = TokenSampler.KeepTopP(logits, p).data<float>().Select(float.IsFinite).ToArray();
        var order = new[] { 1, 3, 0, 2 };
        Assert.Equal(keep, order.Select(i => kept[i]).ToArray());
    }
}
