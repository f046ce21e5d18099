using static TorchSharp.torch;
using Eppo.Core.HackBench;
using Eppo.Core.Model;
using Eppo.Core.Preparation;

namespace Eppo.Core.Tests.Preparation;

public sealed class RewardModelTrainerTests
{
    [Fact]
    public void PairLossIsBradleyTerryOverIndexedScores()
    {
        // Scores (1, 0, 2); pairs (0 over 1), (2 over 1), (0 over 2): margins 1, 2, −1.
        // By hand: mean(log(1 + e^−1), log(1 + e^−2), log(1 + e^1)) = (0.3132617 + 0.1269280 + 1.3132617) / 3.
        using var scores = tensor(new float[] { 1, 0, 2 });
        using var loss = RewardLosses.BradleyTerry(scores, [0, 2, 0], [1, 1, 2]);
        Assert.Equal(0.5844838, loss.item<float>(), 5);
    }

    [Fact]
    public void GroupsHoldEveryPairOfDistinctSamplesOnceLabelledByTheAnnotator()
    {
        var codec = HackBenchTask.Instance.Codec;
        // An untrained policy samples widely, so most prompts give several distinct responses.
        using var policy = new DecoderModel(ModelConfig.Tiny(vocabSize: codec.VocabSize, maxPositions: 64), HeadKind.LanguageModel, seed: 3);
        var labeler = new PreferenceLabeler(5);
        var groups = HackBenchPreferences.SampleGroups(policy, codec, PromptGenerator.Stream(1, HackBenchSplit.Train), 200, 4, labeler, maxNewTokens: 4, seed: 9);

        Assert.InRange(groups.Sum(g => g.Pairs.Count), 200, 205);
        Assert.Contains(groups, g => g.Responses.Count == 4);
        foreach (var group in groups)
        {
            Assert.InRange(group.Responses.Count, 2, 4);
            Assert.Equal(group.Responses.Count, group.Responses.Distinct().Count());
            var n = group.Responses.Count;
            Assert.Equal(n * (n - 1) / 2, group.Pairs.Count);
            var unordered = group.Indexed().Select(p => (Math.Min(p.Chosen, p.Rejected), Math.Max(p.Chosen, p.Rejected))).ToArray();
            Assert.Equal(unordered.Length, unordered.Distinct().Count());
            // Each pair is the annotator's label of (earlier sample, later sample): noise seeded per pair, not per group.
            foreach (var ((lo, hi), pair) in unordered.Zip(group.Pairs))
                Assert.Equal(labeler.Label(group.Prompt, group.Responses[lo], group.Responses[hi]), pair);
        }
    }

    [Fact]
    public void IndexedNamesResponsesByPosition()
    {
        var prompt = PromptGenerator.Generate(1, HackBenchSplit.Train, 1)[0];
        var pair = new PreferencePair(prompt, "b", "a", 1, 0, false);
        var group = new ComparisonGroup(prompt, ["a", "b"], [pair]);
        Assert.Equal([(1, 0)], group.Indexed().ToArray());
        var stray = new ComparisonGroup(prompt, ["a", "c"], [pair]);
        Assert.Throws<InvalidOperationException>(() => stray.Indexed().ToArray());
    }
}
