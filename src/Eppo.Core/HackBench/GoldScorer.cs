using Eppo.Core.Tasks;

namespace Eppo.Core.HackBench;

/// <summary>The programmatic gold judge as a reward: what the proxy RM approximates. Prompts are re-read from their text.</summary>
public sealed class GoldScorer(TaskCodec codec) : IRewardFunction
{
    public float[] Score(int[][] prompts, int[][] responses)
    {
        var scores = new float[prompts.Length];
        for (var i = 0; i < prompts.Length; i++)
            scores[i] = Judge(codec.DecodePrompt(prompts[i]), codec.DecodeResponse(responses[i])).Score;
        return scores;
    }

    public static GoldScore Judge(string promptText, string response) =>
        PromptGenerator.TryParse(promptText, out var prompt)
            ? GoldJudge.Score(prompt, response)
            : throw new EppoException($"gold judge: '{promptText}' is not a HackBench prompt");
}
