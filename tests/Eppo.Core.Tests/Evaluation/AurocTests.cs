using Eppo.Core.Evaluation;

namespace Eppo.Core.Tests.Evaluation;

public class AurocTests
{
    [Fact]
    public void AurocMatchesHandComputedCases()
    {
        Assert.Equal(1.0, Auroc.Compute([0.1f, 0.2f, 0.8f, 0.9f], [false, false, true, true]));
        Assert.Equal(0.0, Auroc.Compute([0.1f, 0.2f, 0.8f, 0.9f], [true, true, false, false]));
        // Positives 0.4, 0.8; negatives 0.1, 0.5, 0.9: pairs won 1 + 2 of 6.
        Assert.Equal(3.0 / 6, Auroc.Compute([0.4f, 0.8f, 0.1f, 0.5f, 0.9f], [true, true, false, false, false]), 12);
        // Ties count one half: positive 0.5 against negatives 0.5, 0.2 → (0.5 + 1) / 2.
        Assert.Equal(0.75, Auroc.Compute([0.5f, 0.5f, 0.2f], [true, false, false]), 12);
        Assert.Equal(0.5, Auroc.Compute([1f, 1f, 1f, 1f], [true, false, true, false]), 12);
        // Positives 3, 3, 1; negatives 3, 2: (0.5 + 1) + (0.5 + 1) + (0 + 0) = 3 of 6.
        Assert.Equal(0.5, Auroc.Compute([3f, 3f, 1f, 3f, 2f], [true, true, true, false, false]), 12);
    }

    [Fact]
    public void AurocAgreesWithPairCountingOnRandomTiedData()
    {
        var rng = new Random(5);
        var scores = Enumerable.Range(0, 60).Select(_ => (float)rng.Next(6)).ToArray();
        var labels = Enumerable.Range(0, 60).Select(_ => rng.Next(3) == 0).ToArray();
        double won = 0, pairs = 0;
        for (var i = 0; i < 60; i++)
            for (var j = 0; j < 60; j++)
                if (labels[i] && !labels[j])
                {
                    pairs++;
                    won += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
        Assert.Equal(won / pairs, Auroc.Compute(scores, labels), 12);
    }

    [Fact]
    public void AurocWithOneClassIsNaNAndMismatchIsAnError()
    {
        Assert.True(double.IsNaN(Auroc.Compute([1f, 2f], [true, true])));
        Assert.Throws<EppoException>(() => Auroc.Compute([1f, 2f], [true]));
    }
}
