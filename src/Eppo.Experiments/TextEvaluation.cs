using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Experiments.Judges;

namespace Eppo.Experiments;

/// <summary>
/// `eppo eval`: a text run's policy against its baseline (the SFT model) on the held-out prompts, which no stage
/// trained on. Both answer each prompt greedily; the judge compares every pair; the result is the paper's
/// win / tie / lose (shares of all prompts judged; pairs without a verdict are counted apart), with the energy of both
/// answers per prompt.
/// </summary>
public static class TextEvaluation
{
    public sealed record Sample(string PromptId, string Prompt, string Policy, string Baseline, JudgeOutcome Outcome, float PolicyEnergy, float BaselineEnergy);

    /// <param name="NoVerdict">Pairs the judge gave no well-formed verdict on: in none of win, tie and lose.</param>
    public sealed record Result(string Judge, int Prompts, int Win, int Tie, int Lose, int NoVerdict, IReadOnlyList<Sample> Samples)
    {
        public double WinShare => Prompts == 0 ? 0 : (double)Win / Prompts;
        public double TieShare => Prompts == 0 ? 0 : (double)Tie / Prompts;
        public double LoseShare => Prompts == 0 ? 0 : (double)Lose / Prompts;
    }

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
        return new Result(judge.Name, samples.Count, samples.Count(s => s.Outcome == JudgeOutcome.Win), samples.Count(s => s.Outcome == JudgeOutcome.Tie),
            samples.Count(s => s.Outcome == JudgeOutcome.Lose), samples.Count(s => s.Outcome == JudgeOutcome.NoVerdict), samples);
    }
}
