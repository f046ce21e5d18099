using Eppo.Core.Tasks;
using Eppo.Core.Model;
using Eppo.Core.Ppo;

namespace Eppo.Core.Preparation;

/// <summary>Supervised fine-tuning: maximise the log-likelihood of the demonstration responses (EOS included).</summary>
public static class SftTrainer
{
    public sealed record Options(int Steps, int BatchSize, double Lr, int Seed);

    public sealed record Report(double FinalLoss, double Seconds);

    /// <summary>A fresh policy of this shape (seeded init), trained.</summary>
    public static (DecoderModel Policy, Report Report) Train(ModelConfig config, TaskCodec codec, IReadOnlyList<SftRow> examples,
        Options options, Action<int, double>? progress = null)
    {
        var policy = new DecoderModel(config, HeadKind.LanguageModel, options.Seed);
        return (policy, Train(policy, codec, examples, options, progress));
    }

    /// <summary>Trains <paramref name="policy"/> in place (a fresh model or a loaded checkpoint).</summary>
    public static Report Train(DecoderModel policy, TaskCodec codec, IReadOnlyList<SftRow> examples, Options options, Action<int, double>? progress = null)
    {
        if (examples.Count == 0) throw new EppoException("sft: no training examples");
        var started = DateTime.UtcNow;
        var prompts = examples.Select(e => codec.EncodePrompt(e.Prompt)).ToArray();
        var responses = examples.Select(e => codec.EncodeResponse(e.Response)).ToArray();
        policy.train();
        var optimizer = optim.AdamW(policy.parameters(), options.Lr, weight_decay: 0.0);
        var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, options.Steps, eta_min: options.Lr * 0.1);
        var rng = new Random(Seeds.Of(options.Seed, SeedStream.SftBatches));
        var loss = double.NaN;
        for (var step = 0; step < options.Steps; step++)
        {
            var rows = Enumerable.Range(0, options.BatchSize).Select(_ => rng.Next(examples.Count)).ToArray();
            loss = Step(policy, optimizer, codec, rows.Select(r => prompts[r]).ToArray(), rows.Select(r => responses[r]).ToArray());
            schedule.step();
            if (!double.IsFinite(loss)) throw new EppoException($"sft: loss became {loss} at step {step}; lower sft.lr");
            progress?.Invoke(step + 1, loss);
        }
        return new Report(loss, (DateTime.UtcNow - started).TotalSeconds);
    }

    static double Step(DecoderModel policy, optim.Optimizer optimizer, TaskCodec codec, int[][] prompts, int[][] responses)
    {
        using var scope = NewDisposeScope();
        var batch = SequenceBatch.Build(prompts, responses, codec.EosId, codec.PadId);
        var scores = TeacherForcing.Score(policy, batch);
        var loss = -Masked.Mean(scores.LogProbs, batch.ActionMask);
        optimizer.zero_grad();
        loss.backward();
        nn.utils.clip_grad_norm_(policy.parameters(), 1.0);
        SafeAdam.Step(optimizer);
        return loss.item<float>();
    }
}
