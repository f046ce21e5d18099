using Eppo.Core.Evaluation;
using Eppo.Core.Model;
using Eppo.Core.Tasks;

namespace Eppo.Core.Training;

/// <summary>
/// A Bradley–Terry reward model on a task's preference data (<see cref="IPreferenceSource"/>), initialised from the
/// SFT trunk. A batch holds whole groups of a prompt's responses, so each response is scored once per step
/// (InstructGPT's K-wise comparisons). Reports held-out accuracy on the task's held-out pairs and the mean and std of
/// its raw scores there, with which the scorer standardises.
/// </summary>
public static class RewardModelTrainer
{
    /// <param name="BatchSize">Pairs per optimiser step (whole groups, so it may end a few over).</param>
    public sealed record Options(int Epochs, int BatchSize, double Lr, int Seed);

    /// <param name="AnnotatorHeldOutAccuracy">How often the annotator's utility without its label flips (gold plus bias)
    /// orders the held-out pairs as gold does: what an RM that learned the annotator perfectly would score.</param>
    public sealed record Report(double HeldOutAccuracy, double TrainAgreementWithGold, double AnnotatorHeldOutAccuracy,
        RewardNormalization Normalization, double Seconds);

    public static (DecoderModel RewardModel, Report Report) Train(DecoderModel sft, TaskCodec codec, PreferenceData data, Options options,
        Action<string>? progress = null)
    {
        var started = DateTime.UtcNow;
        var rm = ModelFactory.CopyOf(sft, HeadKind.Reward, Seeds.Of(options.Seed, SeedStream.RewardModelInit));
        var optimizer = optim.AdamW(rm.parameters(), options.Lr, weight_decay: 0.0);
        var encoded = data.Train.Select(g => new EncodedGroup(codec.EncodePrompt(g.Prompt),
            g.Responses.Select(codec.EncodeResponse).ToArray(), g.Pairs.ToArray())).ToArray();
        var rng = new Random(Seeds.Of(options.Seed, SeedStream.RewardModelOrder));
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

        var accuracy = Accuracy(rm, codec, data.HeldOut);
        var normalization = Normalize(rm, codec, data.HeldOut);
        return (rm, new Report(accuracy, data.TrainAgreementWithGold, data.AnnotatorHeldOutAccuracy, normalization, (DateTime.UtcNow - started).TotalSeconds));
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
        SafeAdam.Step(optimizer);
        return loss.item<float>();
    }

    /// <summary>Bradley–Terry loss −mean log σ(s[chosen] − s[rejected]) over pairs indexing one score vector.</summary>
    internal static Tensor PairLoss(Tensor scores, long[] chosen, long[] rejected) =>
        -nn.functional.logsigmoid(scores.index(tensor(chosen)) - scores.index(tensor(rejected))).mean();

    static Tensor Score(DecoderModel rm, TaskCodec codec, int[][] prompts, int[][] responses) =>
        TeacherForcing.Rewards(rm, SequenceBatch.Build(prompts, responses, codec.EosId, codec.PadId));

    static double Accuracy(DecoderModel rm, TaskCodec codec, IReadOnlyList<HeldOutPair> pairs)
    {
        if (pairs.Count == 0) return double.NaN;
        using var noGrad = no_grad();
        var correct = 0;
        foreach (var chunk in pairs.Chunk(256))
        {
            using var scope = NewDisposeScope();
            var prompts = chunk.Select(p => codec.EncodePrompt(p.Prompt)).ToArray();
            // Exact labels: Chosen has the higher gold score.
            var margin = Score(rm, codec, prompts, chunk.Select(p => codec.EncodeResponse(p.Chosen)).ToArray())
                         - Score(rm, codec, prompts, chunk.Select(p => codec.EncodeResponse(p.Rejected)).ToArray());
            correct += (int)margin.GreaterThan(0).sum().item<long>();
        }
        return (double)correct / pairs.Count;
    }

    /// <summary>Mean and std of the RM's raw scores on SFT samples: the scorer standardises with them, so r ~ N(0, 1) at the start.</summary>
    static RewardNormalization Normalize(DecoderModel rm, TaskCodec codec, IReadOnlyList<HeldOutPair> pairs)
    {
        if (pairs.Count == 0) return new RewardNormalization(0, 1);
        using var noGrad = no_grad();
        var scores = new List<float>();
        foreach (var chunk in pairs.Chunk(256))
        {
            using var scope = NewDisposeScope();
            var prompts = chunk.Select(p => codec.EncodePrompt(p.Prompt)).ToArray();
            scores.AddRange(Score(rm, codec, prompts, chunk.Select(p => codec.EncodeResponse(p.Chosen)).ToArray()).cpu().data<float>().ToArray());
            scores.AddRange(Score(rm, codec, prompts, chunk.Select(p => codec.EncodeResponse(p.Rejected)).ToArray()).cpu().data<float>().ToArray());
        }
        var mean = scores.Average(s => (double)s);
        var std = Stats.PopulationStd(scores.ToArray());
        return new RewardNormalization(mean, Math.Max(std, 1e-6));
    }
}

/// <summary>Standardisation of raw reward-model scores: r = (raw − Mean) / Std.</summary>
public sealed record RewardNormalization(double Mean, double Std)
{
    public float Apply(float raw) => (float)((raw - Mean) / Std);
}
