using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Evaluation;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Tasks;

namespace Eppo.Experiments;

/// <summary>
/// A policy against a baseline (usually the SFT model) on the task's held-out prompts, which no stage trained on,
/// by one of the task's judges (`eppo eval`, and each comparison of `eppo study`). Both answer each prompt greedily;
/// the judge compares every pair; the result is the paper's win / tie / lose (shares of all prompts judged; pairs
/// without a verdict are counted apart), with the energy of both answers per prompt.
/// </summary>
public static class JudgedComparison
{
    public sealed record Sample(string PromptId, string Prompt, string Policy, string Baseline, JudgeOutcome Outcome, float PolicyEnergy, float BaselineEnergy);

    public sealed record Result(string Judge, WinTieLose Counts, IReadOnlyList<Sample> Samples);

    public static async Task<Result> RunAsync(RunSpec spec, DecoderModel policy, DecoderModel baseline, IPairJudge judge, int prompts,
        Action<string>? progress, CancellationToken cancellation)
    {
        var task = TrainingTasks.For(spec);
        var codec = task.Codec;
        var heldOut = task.HeldOutPrompts(prompts, spec.Seed);
        progress?.Invoke($"answering {heldOut.Count} held-out prompts with the policy and the baseline");
        var options = GenerationOptions.Greedy(spec.MaxNewTokens, codec.EosId) with { PadId = codec.PadId };
        var (ours, theirs) = await ComputeThreads.RunAsync(() =>
            (new SequenceGenerator(policy).Generate([.. heldOut.Tokens], options), new SequenceGenerator(baseline).Generate([.. heldOut.Tokens], options)));
        var samples = new List<Sample>();
        for (var i = 0; i < heldOut.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var prompt = codec.DecodePrompt(heldOut.Tokens[i]);
            var (mine, base_) = (codec.DecodeResponse(ours.Responses[i]), codec.DecodeResponse(theirs.Responses[i]));
            var outcome = await judge.JudgeAsync(prompt, mine, base_, cancellation);
            samples.Add(new Sample(heldOut.Ids[i], prompt, mine, base_, outcome, ours.MeanEnergy[i], theirs.MeanEnergy[i]));
            if ((i + 1) % 10 == 0) progress?.Invoke($"judged {i + 1}/{heldOut.Count}");
        }
        return new Result(judge.Name, WinTieLose.Of(samples.Select(s => s.Outcome)), samples);
    }
}
