using Eppo.Core.Tasks;

namespace Eppo.Core.HackBench;

/// <summary>
/// Labels pairs of responses as a biased, noisy human annotator would (model in <see cref="PreferenceLabelerOptions"/>).
/// Deterministic: the randomness of one call is seeded by (seed, prompt, both responses), so the result does not
/// depend on the order or the thread in which pairs are labelled.
/// </summary>
public sealed class PreferenceLabeler
{
    private readonly int _seed;
    private readonly PreferenceLabelerOptions _options;

    public PreferenceLabeler(int seed, PreferenceLabelerOptions? options = null)
    {
        _options = options ?? PreferenceLabelerOptions.Default;
        _options.Validate();
        _seed = seed;
    }

    public PreferenceLabelerOptions Options => _options;

    /// <summary>The annotator's utility without its noise: gold + length bias + caution bias.</summary>
    public double Utility(HackBenchPrompt prompt, string response) => Utility(GoldJudge.Score(prompt, response, _options.Judge));

    public PreferencePair Label(HackBenchPrompt prompt, string responseA, string responseB)
    {
        var goldA = GoldJudge.Score(prompt, responseA, _options.Judge);
        var goldB = GoldJudge.Score(prompt, responseB, _options.Judge);
        var hash = StableHash.Add(StableHash.Of("hackbench-labeler"), _seed);
        hash = StableHash.Add(StableHash.Add(StableHash.Add(StableHash.Add(hash, prompt.Id), prompt.Text), responseA), responseB);
        var rng = new Random(StableHash.ToSeed(hash));

        var uA = Utility(goldA) + _options.UtilityNoise * Gaussian(rng);
        var uB = Utility(goldB) + _options.UtilityNoise * Gaussian(rng);
        var coin = rng.NextDouble() < 0.5;
        var preferA = uA > uB || (uA == uB && coin);
        var flipped = rng.NextDouble() < _options.FlipProbability;
        if (flipped) preferA = !preferA;

        return preferA
            ? new PreferencePair(prompt, responseA, responseB, goldA.Score, goldB.Score, flipped)
            : new PreferencePair(prompt, responseB, responseA, goldB.Score, goldA.Score, flipped);
    }

    private double Utility(GoldScore gold) =>
        gold.Score
        + _options.LengthBias * gold.Length / _options.LengthNormalizer
        + _options.CautionBias * (gold.Boilerplate || gold.Refusal ? 1 : 0);

    private static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
