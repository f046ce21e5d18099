namespace Eppo.Core.HackBench;

/// <summary>
/// Preference pairs without a policy (quick mode and tests): for each training prompt two different responses
/// are written, the first with the SFT mix of kinds, the second with a kind drawn uniformly, then labelled.
/// </summary>
public static class PreferencePairs
{
    public static IReadOnlyList<PreferencePair> FromVariants(int seed, int count, PreferenceLabeler labeler, SftDatasetOptions? options = null)
    {
        var o = options ?? SftDatasetOptions.Default;
        o.Validate();
        var rng = new Random(StableHash.ToSeed(StableHash.Add(StableHash.Of("hackbench-pairs"), seed)));
        var pairs = new List<PreferencePair>(count);
        foreach (var prompt in PromptGenerator.Stream(seed, o.Split, o.Prompts))
        {
            if (pairs.Count >= count) break;
            var a = ResponseVariants.Write(prompt, o.SampleKind(rng), rng.NextDouble() < o.TemplateFraction, rng);
            string b;
            var tries = 0;
            do
            {
                var kind = ResponseVariants.AllKinds[rng.Next(ResponseVariants.AllKinds.Count)];
                b = ResponseVariants.Write(prompt, kind, rng.NextDouble() < o.TemplateFraction, rng);
            } while (b == a && ++tries < 20);
            if (b == a) continue;
            pairs.Add(rng.Next(2) == 0 ? labeler.Label(prompt, a, b) : labeler.Label(prompt, b, a));
        }
        return pairs;
    }
}
