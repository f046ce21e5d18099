using Eppo.Contracts;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.Iteration;
using Eppo.Core.Preparation;

namespace Eppo.Core.TextTasks;

/// <summary>The text task's judge reward model: loaded from a directory, or trained on the spec's judge split from the baseline's trunk.</summary>
public static class JudgeRewardModel
{
    /// <param name="dir">Load it from here if it exists; else train it and, when given, save it here.</param>
    public static RewardModelScorer LoadOrTrain(RunSpec spec, TextTask task, DecoderModel baseline, string? dir, Action<string>? progress)
    {
        if (dir is not null && Directory.Exists(dir))
        {
            var (loaded, extra) = ModelStore.Load(dir, EnergySites.Parse(spec.ProbeSite));
            return new RewardModelScorer(loaded, task.Codec, new RewardNormalization(extra.GetValueOrDefault("norm_mean", 0), extra.GetValueOrDefault("norm_std", 1)));
        }
        var preferences = task.JudgePreferences(spec)
                          ?? throw new EppoException("the spec has no judge split (set text.judge_fraction before the run, so the proxy never sees the judge's data), or pass --judge-rm");
        progress?.Invoke("training the judge reward model on the judge split");
        var r = spec.Reward;
        var seed = Seeds.Of(spec.Seed, SeedStream.JudgeRewardModel);
        var data = preferences.Build(baseline, task.Codec, new PreferenceRequest(r.Pairs, r.ResponsesPerPrompt, seed, spec.MaxNewTokens), progress);
        var (rm, report) = RewardModelTrainer.Train(baseline, task.Codec, data, new RewardModelTrainer.Options(r.Epochs, r.BatchSize, r.Lr, seed), progress);
        progress?.Invoke($"judge reward model: held-out accuracy {report.HeldOutAccuracy:F3}");
        if (dir is not null)
            ModelStore.Save(dir, rm, new() { ["held_out_accuracy"] = report.HeldOutAccuracy, ["norm_mean"] = report.Normalization.Mean, ["norm_std"] = report.Normalization.Std });
        return new RewardModelScorer(rm, task.Codec, report.Normalization);
    }
}
