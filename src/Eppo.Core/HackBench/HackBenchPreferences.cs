using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Tasks;

namespace Eppo.Core.HackBench;

/// <summary>
/// The gold-judge protocol's preference data (Gao et al. 2022, Coste et al. 2024): K samples of the SFT policy per
/// training prompt, every distinct pair labelled by the simulated annotator (gold judge + length and caution bias +
/// flipped labels); held-out pairs are two SFT samples per held-out prompt with exact gold labels, ties dropped.
/// </summary>
public sealed class HackBenchPreferences(PreferenceLabelerOptions annotator) : IPreferenceSource
{
    public PreferenceData Build(DecoderModel sft, TaskCodec codec, PreferenceRequest request, Action<string>? progress)
    {
        var labeler = new PreferenceLabeler(Seeds.Of(request.Seed, SeedStream.AnnotatorLabels), annotator);
        var train = SampleGroups(sft, codec, PromptGenerator.Stream(Seeds.Of(request.Seed, SeedStream.PreferencePrompts), HackBenchSplit.Train),
            request.Pairs, request.ResponsesPerPrompt, labeler, request.MaxNewTokens, Seeds.Combine(request.Seed, (long)SeedStream.PreferenceSamples));
        var trainPairs = train.SelectMany(g => g.Pairs).ToList();
        progress?.Invoke($"sampled {trainPairs.Count} preference pairs on {train.Count} prompts");

        var exact = new PreferenceLabeler(Seeds.Of(request.Seed, SeedStream.ExactLabels), PreferenceLabelerOptions.Exact);
        var heldOut = SampleGroups(sft, codec, PromptGenerator.Stream(Seeds.Of(request.Seed, SeedStream.HeldOutPreferencePrompts), HackBenchSplit.HeldOut),
                request.HeldOutPairs, 2, exact, request.MaxNewTokens, Seeds.Combine(request.Seed, (long)SeedStream.HeldOutPreferenceSamples))
            .SelectMany(g => g.Pairs)
            .Where(p => p.ChosenGold != p.RejectedGold).ToList();
        var agreement = trainPairs.Where(p => p.ChosenGold != p.RejectedGold).Select(p => p.AgreesWithGold ? 1.0 : 0.0).DefaultIfEmpty(0).Average();
        return new PreferenceData(
            train.Select(g => new PreferenceGroup(g.Prompt.Text, g.Responses, g.Indexed().ToArray())).ToArray(),
            heldOut.Select(p => new HeldOutPair(p.Prompt.Text, p.Chosen, p.Rejected)).ToArray(),
            agreement, AnnotatorAccuracy(heldOut));
    }

    /// <summary>
    /// Groups of <paramref name="responsesPerPrompt"/> SFT samples per prompt, all distinct pairs labelled, until
    /// <paramref name="pairCount"/> pairs are reached (prompts whose samples all coincide give no preference and are skipped).
    /// </summary>
    internal static List<ComparisonGroup> SampleGroups(DecoderModel sft, TaskCodec codec, IEnumerable<HackBenchPrompt> stream, int pairCount,
        int responsesPerPrompt, PreferenceLabeler labeler, int maxNewTokens, long seed)
    {
        var generator = new SequenceGenerator(sft);
        var groups = new List<ComparisonGroup>();
        var pairs = 0;
        const int chunk = 256;
        var start = 0;
        foreach (var slice in stream.Chunk(chunk))
        {
            if (pairs >= pairCount) break;
            if (start > 20 * pairCount) throw new EppoException($"reward model: the SFT policy's samples rarely differ; only {pairs} of {pairCount} pairs");
            var encoded = slice.Select(p => codec.EncodePrompt(p.Text)).ToArray();
            var samples = Enumerable.Range(0, responsesPerPrompt)
                .Select(k => generator.Generate(encoded, GenerationOptions.Sampling(maxNewTokens, codec.EosId, Seeds.Combine(seed, start, k))))
                .ToArray();
            for (var i = 0; i < slice.Length && pairs < pairCount; i++)
            {
                var responses = samples.Select(s => codec.DecodeResponse(s.Responses[i])).Distinct().ToArray();
                if (responses.Length < 2) continue;
                var labelled = new List<PreferencePair>();
                for (var a = 0; a < responses.Length; a++)
                    for (var b = a + 1; b < responses.Length; b++)
                        labelled.Add(labeler.Label(slice[i], responses[a], responses[b]));
                groups.Add(new ComparisonGroup(slice[i], responses, labelled));
                pairs += labelled.Count;
            }
            start += slice.Length;
        }
        return groups;
    }

    /// <summary>How often the annotator's utility without label flips orders the held-out pairs as gold does.</summary>
    double AnnotatorAccuracy(IReadOnlyList<PreferencePair> pairs)
    {
        var noiseless = new PreferenceLabeler(0, annotator with { FlipProbability = 0 });
        return pairs.Select(p => (noiseless.Utility(p.Prompt, p.Chosen) - noiseless.Utility(p.Prompt, p.Rejected)) switch
        {
            > 0 => 1.0,
            0 => 0.5,
            _ => 0.0,
        }).DefaultIfEmpty(double.NaN).Average();
    }
}
