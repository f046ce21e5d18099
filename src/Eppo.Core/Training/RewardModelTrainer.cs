using Eppo.Core.Generation;
using Eppo.Core.HackBench;
using Eppo.Core.Model;

namespace Eppo.Core.Training;

/// <summary>
/// The proxy reward model of the gold-judge protocol (Gao et al. 2022, Coste et al. 2024): pairs of SFT samples,
/// labelled by a simulated annotator (gold judge + length and caution bias + flipped labels), Bradley–Terry loss.
/// K responses are sampled per prompt and all their distinct pairs labelled (<see cref="ComparisonGroup"/>); a batch
/// holds whole groups. Initialised from the SFT trunk. Reports held-out accuracy against clean gold labels on pairs
/// of two SFT samples per held-out prompt.
/// </summary>
public static class RewardModelTrainer
{
    /// <param name="Pairs">Labelled training pairs in all (whole groups, so it may end a few over).</param>
    /// <param name="BatchSize">Pairs per optimiser step (whole groups, so it may end a few over).</param>
    /// <param name="ResponsesPerPrompt">K: samples per prompt, giving up to K(K−1)/2 pairs.</param>
    public sealed record Options(int Pairs, int Epochs, int BatchSize, double Lr, int Seed, int MaxNewTokens,
        PreferenceLabelerOptions Labeler, int ResponsesPerPrompt = 4, int HeldOutPairs = 3000);

    /// <param name="AnnotatorHeldOutAccuracy">How often the annotator's utility without its label flips (gold plus bias)
    /// orders the held-out pairs as gold does: what an RM that learned the annotator perfectly would score.</param>
    public sealed record Report(double HeldOutAccuracy, double TrainAgreementWithGold, double AnnotatorHeldOutAccuracy,
        RewardNormalization Normalization, double Seconds);

    public static (DecoderModel RewardModel, Report Report) Train(DecoderModel sft, TaskCodec codec, Options options,
        Action<string>? progress = null)
    {
        var started = DateTime.UtcNow;
        var labeler = new PreferenceLabeler((int)Seeds.Combine(options.Seed, 4), options.Labeler);
        var train = SampleGroups(sft, codec, PromptGenerator.Stream((int)Seeds.Combine(options.Seed, 5), HackBenchSplit.Train), options.Pairs,
            options.ResponsesPerPrompt, labeler, options, Seeds.Combine(options.Seed, 6));
        var trainPairs = train.SelectMany(g => g.Pairs).ToList();
        progress?.Invoke($"sampled {trainPairs.Count} preference pairs on {train.Count} prompts");

        var rm = ModelFactory.CopyOf(sft, HeadKind.Reward, (int)Seeds.Combine(options.Seed, 7));
        var optimizer = optim.AdamW(rm.parameters(), options.Lr, weight_decay: 0.0);
        var encoded = train.Select(g => new EncodedGroup(codec.EncodePrompt(g.Prompt.Text),
            g.Responses.Select(codec.EncodeResponse).ToArray(), g.Indexed().ToArray())).ToArray();
        var rng = new Random((int)Seeds.Combine(options.Seed, 8));
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            var order = Enumerable.Range(0, encoded.Length).ToArray();
            rng.Shuffle(order);
            var lossSum = 0.0;
            var batches = 0;
            foreach (var batch in Batches(order.Select(i => encoded[i]), options.BatchSize))
            {
                lossSum += Step(rm, optimizer, codec, batch);
                batches++;
            }
            var loss = lossSum / Math.Max(batches, 1);
            if (!double.IsFinite(loss)) throw new EppoException($"reward model: loss became {loss} in epoch {epoch}; lower reward.lr");
            progress?.Invoke($"reward model epoch {epoch + 1}/{options.Epochs}: loss {loss:F4}");
        }

        var exact = new PreferenceLabeler((int)Seeds.Combine(options.Seed, 9), PreferenceLabelerOptions.Exact);
        var heldOut = SampleGroups(sft, codec, PromptGenerator.Stream((int)Seeds.Combine(options.Seed, 10), HackBenchSplit.HeldOut), options.HeldOutPairs,
                2, exact, options, Seeds.Combine(options.Seed, 11))
            .SelectMany(g => g.Pairs)
            .Where(p => p.ChosenGold != p.RejectedGold).ToList();
        var accuracy = Accuracy(rm, codec, heldOut);
        var normalization = Normalize(rm, codec, heldOut);
        var agreement = trainPairs.Where(p => p.ChosenGold != p.RejectedGold).Select(p => p.AgreesWithGold ? 1.0 : 0.0).DefaultIfEmpty(0).Average();
        return (rm, new Report(accuracy, agreement, AnnotatorAccuracy(options.Labeler, heldOut), normalization, (DateTime.UtcNow - started).TotalSeconds));
    }

    /// <summary>
    /// Groups of <paramref name="responsesPerPrompt"/> SFT samples per prompt, all distinct pairs labelled, until
    /// <paramref name="pairCount"/> pairs are reached (prompts whose samples all coincide give no preference and are skipped).
    /// </summary>
    internal static List<ComparisonGroup> SampleGroups(DecoderModel sft, TaskCodec codec, IEnumerable<HackBenchPrompt> stream, int pairCount,
        int responsesPerPrompt, PreferenceLabeler labeler, Options options, long seed)
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
                .Select(k => generator.Generate(encoded, GenerationOptions.Sampling(options.MaxNewTokens, codec.EosId, Seeds.Combine(seed, start, k))))
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

    sealed record EncodedGroup(int[] Prompt, int[][] Responses, (int Chosen, int Rejected)[] Pairs);

    /// <summary>Consecutive whole groups until a batch holds at least <paramref name="pairsPerBatch"/> pairs.</summary>
    static IEnumerable<EncodedGroup[]> Batches(IEnumerable<EncodedGroup> groups, int pairsPerBatch)
    {
        var batch = new List<EncodedGroup>();
        var pairs = 0;
        foreach (var group in groups)
        {
            batch.Add(group);
            pairs += group.Pairs.Length;
            if (pairs < pairsPerBatch) continue;
            yield return batch.ToArray();
            (batch, pairs) = ([], 0);
        }
        if (batch.Count > 0) yield return batch.ToArray();
    }

    /// <summary>One Bradley–Terry step over whole groups: each response scored once, the loss averaged over all pairs.</summary>
    static double Step(DecoderModel rm, optim.Optimizer optimizer, TaskCodec codec, EncodedGroup[] groups)
    {
        var (prompts, responses, chosen, rejected) = (new List<int[]>(), new List<int[]>(), new List<long>(), new List<long>());
        foreach (var group in groups)
        {
            var offset = responses.Count;
            prompts.AddRange(group.Responses.Select(_ => group.Prompt));
            responses.AddRange(group.Responses);
            chosen.AddRange(group.Pairs.Select(p => (long)(offset + p.Chosen)));
            rejected.AddRange(group.Pairs.Select(p => (long)(offset + p.Rejected)));
        }
        using var scope = NewDisposeScope();
        var loss = PairLoss(Score(rm, codec, prompts.ToArray(), responses.ToArray()), chosen.ToArray(), rejected.ToArray());
        optimizer.zero_grad();
        loss.backward();
        nn.utils.clip_grad_norm_(rm.parameters(), 1.0);
        optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Bradley–Terry loss −mean log σ(s[chosen] − s[rejected]) over pairs indexing one score vector.</summary>
    internal static Tensor PairLoss(Tensor scores, long[] chosen, long[] rejected) =>
        -nn.functional.logsigmoid(scores.index(tensor(chosen)) - scores.index(tensor(rejected))).mean();

    static Tensor Score(DecoderModel rm, TaskCodec codec, int[][] prompts, int[][] responses) =>
        TeacherForcing.Rewards(rm, SequenceBatch.Build(prompts, responses, codec.EosId, codec.PadId));

    static double Accuracy(DecoderModel rm, TaskCodec codec, IReadOnlyList<PreferencePair> pairs)
    {
        if (pairs.Count == 0) return double.NaN;
        using var noGrad = no_grad();
        var correct = 0;
        foreach (var chunk in pairs.Chunk(256))
        {
            using var scope = NewDisposeScope();
            var prompts = chunk.Select(p => codec.EncodePrompt(p.Prompt.Text)).ToArray();
            // Exact labels: Chosen has the higher gold score.
            var margin = Score(rm, codec, prompts, chunk.Select(p => codec.EncodeResponse(p.Chosen)).ToArray())
                         - Score(rm, codec, prompts, chunk.Select(p => codec.EncodeResponse(p.Rejected)).ToArray());
            correct += (int)margin.GreaterThan(0).sum().item<long>();
        }
        return (double)correct / pairs.Count;
    }

    static double AnnotatorAccuracy(PreferenceLabelerOptions labeler, IReadOnlyList<PreferencePair> pairs)
    {
        var annotator = new PreferenceLabeler(0, labeler with { FlipProbability = 0 });
        return pairs.Select(p => (annotator.Utility(p.Prompt, p.Chosen) - annotator.Utility(p.Prompt, p.Rejected)) switch
        {
            > 0 => 1.0,
            0 => 0.5,
            _ => 0.0,
        }).DefaultIfEmpty(double.NaN).Average();
    }

    /// <summary>Mean and std of the RM's raw scores on SFT samples: the scorer standardises with them, so r ~ N(0, 1) at the start.</summary>
    static RewardNormalization Normalize(DecoderModel rm, TaskCodec codec, IReadOnlyList<PreferencePair> pairs)
    {
        if (pairs.Count == 0) return new RewardNormalization(0, 1);
        using var noGrad = no_grad();
        var scores = new List<float>();
        foreach (var chunk in pairs.Chunk(256))
        {
            using var scope = NewDisposeScope();
            var prompts = chunk.Select(p => codec.EncodePrompt(p.Prompt.Text)).ToArray();
            scores.AddRange(Score(rm, codec, prompts, chunk.Select(p => codec.EncodeResponse(p.Chosen)).ToArray()).data<float>().ToArray());
            scores.AddRange(Score(rm, codec, prompts, chunk.Select(p => codec.EncodeResponse(p.Rejected)).ToArray()).data<float>().ToArray());
        }
        var mean = scores.Average(s => (double)s);
        var std = Math.Sqrt(scores.Average(s => (s - mean) * (s - mean)));
        return new RewardNormalization(mean, Math.Max(std, 1e-6));
    }
}

/// <summary>Standardisation of raw reward-model scores: r = (raw − Mean) / Std.</summary>
public sealed record RewardNormalization(double Mean, double Std)
{
    public float Apply(float raw) => (float)((raw - Mean) / Std);
}
