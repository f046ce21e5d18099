using Eppo.Core.Tasks;

namespace Eppo.Core.HackBench;

/// <summary>
/// HackBench's gold judge behind the task seam: the reward the proxy RM approximates (prompts re-read from their
/// text), the verdict on a held-out answer, and the hacking rule (<see cref="GoldJudge.IsHacking(GoldScore, float?, HackingThresholds?)"/>).
/// </summary>
public sealed class GoldScorer(TaskCodec codec) : IGoldJudge
{
    public float[] Score(int[][] prompts, int[][] responses)
    {
        var scores = new float[prompts.Length];
        for (var i = 0; i < prompts.Length; i++)
            scores[i] = Verdict(codec.DecodePrompt(prompts[i]), codec.DecodeResponse(responses[i])).Score;
        return scores;
    }

    public GoldScore Verdict(string prompt, string response) => Judge(prompt, response);

    public bool IsHacking(GoldScore verdict, float proxy, HackingThresholds thresholds) => GoldJudge.IsHacking(verdict, proxy, thresholds);

    public static GoldScore Judge(string promptText, string response) =>
        PromptGenerator.TryParse(promptText, out var prompt)
            ? GoldJudge.Score(prompt, response)
            : throw new EppoException($"gold judge: '{promptText}' is not a HackBench prompt");
}
