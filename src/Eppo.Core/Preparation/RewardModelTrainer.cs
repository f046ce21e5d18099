using Eppo.Contracts;
using Eppo.Core.Evaluation;
using Eppo.Core.Model;
using Eppo.Core.Tasks;

namespace Eppo.Core.Preparation;

/// <summary>
/// A reward model on a task's preference data (<see cref="IPreferenceSource"/>), initialised from the SFT trunk: a
/// Bradley–Terry scalar head, ODIN's quality and length heads or InfoRM's bottleneck (<see cref="RewardHeadOptions"/>,
/// losses in <see cref="RewardLosses"/>). A batch holds whole groups of a prompt's responses, so each response is
/// scored once per step (InstructGPT's K-wise comparisons). Reports held-out accuracy on the task's held-out pairs and
/// the mean and std of its raw scores there, with which the scorer standardises.
/// </summary>
public static class RewardModelTrainer
{
    /// <param name="BatchSize">Pairs per optimiser step (whole groups, so it may end a few over).</param>
    /// <param name="Seed">Fixes the data order (and the init unless <paramref name="InitSeed"/> is given).</param>
    /// <param name="InitSeed">The head's init seed when it differs from the order's (WARM's ingredients share one init).</param>
    public sealed record Options(int Epochs, int BatchSize, double Lr, int Seed, RewardHeadOptions? Head = null, int? InitSeed = null)
    {
        public RewardHeadOptions HeadOptions => Head ?? RewardHeadOptions.BradleyTerry;
    }

    /// <param name="AnnotatorHeldOutAccuracy">How often the annotator's utility without its label flips (gold plus bias)
    /// orders the held-out pairs as gold does: what an RM that learned the annotator perfectly would score.</param>
    /// <param name="Figures">What a head kind measures beyond accuracy (ODIN: each head's correlation with length).</param>
    public sealed record Report(double HeldOutAccuracy, double TrainAgreementWithGold, double AnnotatorHeldOutAccuracy,
        RewardNormalization Normalization, double Seconds, IReadOnlyDictionary<string, double>? Figures = null);

    public static (DecoderModel RewardModel, Report Report) Train(DecoderModel sft, TaskCodec codec, PreferenceData data, Options options,
        Action<string>? progress = null)
    {
        var started = DateTime.UtcNow;
        var head = options.HeadOptions;
        var rm = ModelFactory.CopyOf(sft, head.HeadKind, Seeds.Of(options.InitSeed ?? options.Seed, SeedStream.RewardModelInit), rewardLatent: head.InformLatent);
        var optimizer = optim.AdamW(rm.parameters(), options.Lr, weight_decay: 0.0);
        using var noise = new torch.Generator((ulong)Seeds.Of(options.Seed, SeedStream.RewardModelNoise));
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
                lossSum += Step(rm, optimizer, codec, batch, head, noise);
                batches++;
            }
            var loss = lossSum / Math.Max(batches, 1);
            if (!double.IsFinite(loss)) throw new EppoException($"reward model: loss became {loss} in epoch {epoch}; lower reward.lr");
            progress?.Invoke($"reward model epoch {epoch + 1}/{options.Epochs}: loss {loss:F4}");
        }

        var (accuracy, normalization, figures) = Measure(rm, codec, data.HeldOut);
        return (rm, new Report(accuracy, data.TrainAgreementWithGold, data.AnnotatorHeldOutAccuracy, normalization, (DateTime.UtcNow - started).TotalSeconds, figures));
    }

    /// <summary>
    /// A trained model's held-out figures: accuracy, the standardisation of its scores, and for ODIN each head's
    /// correlation with response length. WARM measures its weight average with it.
    /// </summary>
    public static (double Accuracy, RewardNormalization Normalization, IReadOnlyDictionary<string, double> Figures) Measure(
        DecoderModel rm, TaskCodec codec, IReadOnlyList<HeldOutPair> pairs)
    {
        var figures = rm.Kind == HeadKind.OdinReward ? LengthCorrelations(rm, codec, pairs) : new Dictionary<string, double>();
        return (Accuracy(rm, codec, pairs), Normalize(rm, codec, pairs), figures);
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

    /// <summary>One step of the head's loss over whole groups: each response scored once, the loss averaged over all pairs.</summary>
    static double Step(DecoderModel rm, optim.Optimizer optimizer, TaskCodec codec, EncodedGroup[] groups, RewardHeadOptions head, torch.Generator noise)
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
        var batch = SequenceBatch.Build(prompts.ToArray(), responses.ToArray(), codec.EosId, codec.PadId);
        var (c, r) = (chosen.ToArray(), rejected.ToArray());
        var loss = head.Kind switch
        {
            RewardModelKind.Odin => OdinLoss(rm, batch, responses, c, r, head),
            RewardModelKind.InfoRm => InfoRmLoss(rm, batch, c, r, head, noise),
            _ => RewardLosses.BradleyTerry(TeacherForcing.Rewards(rm, batch), c, r),
        };
        optimizer.zero_grad();
        loss.backward();
        nn.utils.clip_grad_norm_(rm.parameters(), 1.0);
        SafeAdam.Step(optimizer);
        return loss.item<float>();
    }

    static Tensor OdinLoss(DecoderModel rm, SequenceBatch batch, List<int[]> responses, long[] chosen, long[] rejected, RewardHeadOptions head)
    {
        var heads = rm.OdinScores(TeacherForcing.LastHidden(rm, batch));                   // (B, 2)
        var lengths = tensor(responses.Select(x => (float)x.Length).ToArray());
        return RewardLosses.Odin(heads.select(1, 0), heads.select(1, 1), lengths, rm.OdinHeadWeight, chosen, rejected,
            head.OdinLengthWeight, head.OdinOrthogonalWeight);
    }

    static Tensor InfoRmLoss(DecoderModel rm, SequenceBatch batch, long[] chosen, long[] rejected, RewardHeadOptions head, torch.Generator noise)
    {
        var bottleneck = rm.Bottleneck;
        var (mean, logVariance) = bottleneck.Encode(TeacherForcing.LastHidden(rm, batch)); // (B, L) each
        var epsilon = randn(mean.shape, generator: noise);
        var sampled = bottleneck.Decode(mean + (logVariance * 0.5).exp() * epsilon);     // (B)
        return RewardLosses.InfoRm(sampled, mean, logVariance, chosen, rejected, head.InformBeta);
    }

    /// <summary>Pearson correlation of each ODIN head with the response's token length over the held-out responses.</summary>
    static Dictionary<string, double> LengthCorrelations(DecoderModel rm, TaskCodec codec, IReadOnlyList<HeldOutPair> pairs)
    {
        if (pairs.Count == 0) return [];
        using var noGrad = no_grad();
        var (quality, length, lengths) = (new List<double>(), new List<double>(), new List<double>());
        foreach (var chunk in pairs.Chunk(128))
        {
            using var scope = NewDisposeScope();
            var prompts = chunk.SelectMany(p => new[] { codec.EncodePrompt(p.Prompt), codec.EncodePrompt(p.Prompt) }).ToArray();
            var responses = chunk.SelectMany(p => new[] { codec.EncodeResponse(p.Chosen), codec.EncodeResponse(p.Rejected) }).ToArray();
            var heads = rm.OdinScores(TeacherForcing.LastHidden(rm, SequenceBatch.Build(prompts, responses, codec.EosId, codec.PadId))).cpu();
            quality.AddRange(heads.select(1, 0).data<float>().ToArray().Select(v => (double)v));
            length.AddRange(heads.select(1, 1).data<float>().ToArray().Select(v => (double)v));
            lengths.AddRange(responses.Select(x => (double)x.Length));
        }
        return new() { [QualityLengthCorrelation] = Stats.Pearson(quality, lengths), [LengthHeadCorrelation] = Stats.Pearson(length, lengths) };
    }

    /// <summary>Keys of <see cref="Report.Figures"/> for ODIN.</summary>
    public const string QualityLengthCorrelation = "quality_length_correlation", LengthHeadCorrelation = "length_head_length_correlation";

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
