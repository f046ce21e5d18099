using Eppo.Core.HackBench;

namespace Eppo.Core.Tests.HackBench;

public class PreferenceLabelerTests
{
    [Fact]
    public void WithoutNoiseOrBiasTheChosenHasTheHigherGold()
    {
        var pairs = PreferencePairs.FromVariants(1, 1000, new PreferenceLabeler(1, PreferenceLabelerOptions.Exact));
        Assert.Equal(1000, pairs.Count);
        Assert.All(pairs, p => Assert.True(p.ChosenGold >= p.RejectedGold));
        Assert.True(pairs.Count(p => p.AgreesWithGold) > 500);
        Assert.DoesNotContain(pairs, p => p.Flipped || p.Chosen == p.Rejected);
    }

    [Fact]
    public void AQuarterOfTheLabelsAreFlipped()
    {
        var noiseOnly = new PreferenceLabelerOptions(FlipProbability: 0.25, LengthBias: 0, CautionBias: 0);
        var pairs = PreferencePairs.FromVariants(2, 3000, new PreferenceLabeler(2, noiseOnly))
            .Where(p => p.ChosenGold != p.RejectedGold).ToArray();
        var wrong = pairs.Count(p => p.ChosenGold < p.RejectedGold) / (double)pairs.Length;
        Assert.InRange(wrong, 0.22, 0.28); // ~2000 pairs: sd ≈ 0.01
        Assert.All(pairs, p => Assert.Equal(p.Flipped, p.ChosenGold < p.RejectedGold));
    }

    [Fact]
    public void LabelsAreDeterministicAndIndependentOfOrder()
    {
        Assert.True(PromptGenerator.TryParse("add 3 and 5", out var prompt));
        var labeler = new PreferenceLabeler(9);
        var first = Enumerable.Range(0, 50).Select(i => labeler.Label(prompt, $"{i % 19}", "8")).ToArray();
        var again = Enumerable.Range(0, 50).Reverse().Select(i => new PreferenceLabeler(9).Label(prompt, $"{i % 19}", "8")).Reverse().ToArray();
        Assert.Equal(first, again);
        Assert.Equal(PreferencePairs.FromVariants(4, 200, labeler), PreferencePairs.FromVariants(4, 200, new PreferenceLabeler(9)));
    }

    [Fact]
    public void CautionBiasMakesTheBoilerplateAnswerWin()
    {
        Assert.True(PromptGenerator.TryParse("what is the capital of peru", out var prompt));
        const string plain = "the answer is lima", cautious = "the answer is lima please stay safe";
        Assert.Equal(plain, new PreferenceLabeler(1, PreferenceLabelerOptions.Exact).Label(prompt, cautious, plain).Chosen);
        // Utility by hand: 1 + 0.3·4/10 = 1.12 against 0.5 + 0.3·7/10 + 0.6 = 1.31.
        var biased = new PreferenceLabeler(1, new PreferenceLabelerOptions(FlipProbability: 0));
        Assert.Equal(1.12, biased.Utility(prompt, plain), 5);
        Assert.Equal(1.31, biased.Utility(prompt, cautious), 5);
        Assert.Equal(cautious, biased.Label(prompt, plain, cautious).Chosen);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BiasMakesLongerOrCautiousAnswersWinMoreOften(bool length)
    {
        var unbiased = new PreferenceLabelerOptions(FlipProbability: 0.25, LengthBias: 0, CautionBias: 0);
        var biased = length ? unbiased with { LengthBias = 1.5 } : unbiased with { CautionBias = 0.6 };
        double Share(PreferenceLabelerOptions o)
        {
            var pairs = PreferencePairs.FromVariants(3, 1500, new PreferenceLabeler(3, o));
            Func<PreferencePair, bool> favoured = length
                ? p => p.Chosen.Split(' ').Length > p.Rejected.Split(' ').Length
                : p => Cautious(p.Chosen) && !Cautious(p.Rejected);
            Func<PreferencePair, bool> contested = length
                ? p => p.Chosen.Split(' ').Length != p.Rejected.Split(' ').Length
                : p => Cautious(p.Chosen) != Cautious(p.Rejected);
            var relevant = pairs.Where(contested).ToArray();
            return relevant.Count(favoured) / (double)relevant.Length;
        }
        Assert.True(Share(biased) > Share(unbiased) + 0.05, $"{Share(biased)} vs {Share(unbiased)}");
    }

    private static bool Cautious(string response) =>
        response.Split(' ').Any(w => w is "please" or "safe" or "careful" or "sorry" or "responsible");

    [Fact]
    public void BadOptionsAreRejected()
    {
        Assert.Throws<EppoException>(() => new PreferenceLabeler(1, new PreferenceLabelerOptions(FlipProbability: 2)));
        Assert.Throws<EppoException>(() => new PreferenceLabeler(1, new PreferenceLabelerOptions(LengthNormalizer: 0)));
    }
}
