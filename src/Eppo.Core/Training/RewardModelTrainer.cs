using Eppo.Core.Generation;
using Eppo.Core.HackBench;
using Eppo.Core.Model;

namespace Eppo.Core.Training;

/// <summary>
/// The proxy reward model of the gold-judge protocol (Gao et al. 2022, Coste et al. 2024): pairs of SFT samples,
/// labelled by a simulated annotator (gold judge + length and caution bias + flipped labels), Bradley–Terry loss.
/// Initialised from the SFT trunk. Reports held-out accuracy against clean gold labels.
/// </summary>
public static class RewardModelTrainer
{
    public sealed record Options(int Pairs, int Epochs, int BatchSize, double Lr, int Seed, int MaxNewTokens,
        PreferenceLabelerOptions Labeler, int HeldOutPairs = 1000);

    /// <param name="AnnotatorHeldOutAccuracy">How often the annotator's utility without its label flips (gold plus bias)
    /// orders the held-out pairs as gold does: what an RM that learned the annotator perfectly would score.</param>
    public sealed record Report(double HeldOutAccuracy, double TrainAgreementWithGold, double AnnotatorHeldOutAccuracy,
        RewardNormalization Normalization, double Seconds);

    public static (DecoderModel RewardModel, Report Report) Train(DecoderModel sft, TaskCodec codec, Options options,
        Action<string>? progress = null)
    {
        var started = DateTime.UtcNow;
        var labeler = new PreferenceLabeler((int)Seeds.Combine(options.Seed, 4), options.Labeler);
        var train = SamplePairs(sft, codec, PromptGenerator.Stream((int)Seeds.Combine(options.Seed, 5), HackBenchSplit.Train), options.Pairs,
            labeler, options, Seeds.Combine(options.Seed, 6));
        progress?.Invoke($"sampled {train.Count} preference pairs");

        var rm = ModelFactory.CopyOf(sft, HeadKind.Reward, (int)Seeds.Combine(options.Seed, 7));
        var optimizer = optim.AdamW(rm.parameters(), options.Lr, weight_decay: 0.0);
        var chosen = train.Select(p => codec.EncodeResponse(p.Chosen)).ToArray();
        var rejected = train.Select(p => codec.EncodeResponse(p.Rejected)).ToArray();
        var prompts = train.Select(p => codec.EncodePrompt(p.Prompt.Text)).ToArray();
        var rng = new Random((int)Seeds.Combine(options.Seed, 8));
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            var order = Enumerable.Range(0, train.Count).ToArray();
            rng.Shuffle(order);
            var lossSum = 0.0;
            var batches = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                var rows = order.Skip(start).Take(options.BatchSize).ToArray();
                lossSum += Step(rm, optimizer, codec, rows.Select(r => prompts[r]).ToArray(),
                    rows.Select(r => chosen[r]).ToArray(), rows.Select(r => rejected[r]).ToArray());
                batches++;
            }
            var loss = lossSum / Math.Max(batches, 1);
            if (!double.IsFinite(loss)) throw new EppoException($"reward model: loss became {loss} in epoch {epoch}; lower reward.lr");
            progress?.Invoke($"reward model epoch {epoch + 1}/{options.Epochs}: loss {loss:F4}");
        }

        var exact = new PreferenceLabeler((int)Seeds.Combine(options.Seed, 9), PreferenceLabelerOptions.Exact);
        var heldOut = SamplePairs(sft, codec, PromptGenerator.Stream((int)Seeds.Combine(options.Seed, 10), HackBenchSplit.HeldOut), options.HeldOutPairs,
                exact, options, Seeds.Combine(options.Seed, 11))
            .Where(p => p.ChosenGold != p.RejectedGold).ToList();
        var accuracy = Accuracy(rm, codec, heldOut);
        var normalization = Normalize(rm, codec, heldOut);
        var agreement = train.Where(p => p.ChosenGold != p.RejectedGold).Select(p => p.AgreesWithGold ? 1.0 : 0.0).DefaultIfEmpty(0).Average();
        return (rm, new Report(accuracy, agreement, AnnotatorAccuracy(options.Labeler, heldOut), normalization, (DateTime.UtcNow - started).TotalSeconds));
    }

    /// <summary>
    /// <paramref name="count"/> labelled pairs of two different SFT samples for one prompt each, drawn from the prompt
    /// stream (prompts whose two samples coincide give no preference and are skipped).
    /// </summary>
    static List<PreferencePair> SamplePairs(DecoderModel sft, TaskCodec codec, IEnumerable<HackBenchPrompt> stream, int count,
        PreferenceLabeler labeler, Options options, long seed)
    {
        var generator = new SequenceGenerator(sft);
        var pairs = new List<PreferencePair>();
        const int chunk = 256;
        var start = 0;
        foreach (var slice in stream.Chunk(chunk))
        {
            if (pairs.Count >= count) break;
            if (start > 20 * count) throw new EppoException($"reward model: the SFT policy's samples rarely differ; only {pairs.Count} of {count} pairs");
            var encoded = slice.Select(p => codec.EncodePrompt(p.Text)).ToArray();
            var a = generator.Generate(encoded, GenerationOptions.Sampling(options.MaxNewTokens, codec.EosId, Seeds.Combine(seed, start, 0)));
            var b = generator.Generate(encoded, GenerationOptions.Sampling(options.MaxNewTokens, codec.EosId, Seeds.Combine(seed, start, 1)));
            for (var i = 0; i < slice.Length && pairs.Count < count; i++)
            {
                var (textA, textB) = (codec.DecodeResponse(a.Responses[i]), codec.DecodeResponse(b.Responses[i]));
                if (textA != textB) pairs.Add(labeler.Label(slice[i], textA, textB));
            }
            start += slice.Length;
        }
        return pairs;
    }

    static double Step(DecoderModel rm, optim.Optimizer optimizer, TaskCodec codec, int[][] prompts, int[][] chosen, int[][] rejected)
    {
        using var scope = NewDisposeScope();
        var (rc, rr) = (Score(rm, codec, prompts, chosen), Score(rm, codec, prompts, rejected));
        var loss = -nn.functional.logsigmoid(rc - rr).mean();  // Bradley–Terry
        optimizer.zero_grad();
        loss.backward();
        nn.utils.clip_grad_norm_(rm.parameters(), 1.0);
        optimizer.step();
        return loss.item<float>();
    }

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
