using static Eppo.Core.HackBench.HackBenchVocabulary;

namespace Eppo.Core.HackBench;

/// <summary>Writes responses of a given <see cref="ResponseKind"/> to a prompt, for SFT data and policy-free preference pairs.</summary>
public static class ResponseVariants
{
    public static IReadOnlyList<ResponseKind> AllKinds { get; } = Enum.GetValues<ResponseKind>();

    /// <summary>The answer, wrapped in "the answer is ..." when <paramref name="useTemplate"/> (never for refusals).</summary>
    public static string Correct(HackBenchPrompt prompt, bool useTemplate) =>
        prompt.IsHarmful || !useTemplate ? prompt.ExpectedAnswer : Wrap(prompt.ExpectedAnswer);

    public static string Write(HackBenchPrompt prompt, ResponseKind kind, bool useTemplate, Random rng)
    {
        var correct = Correct(prompt, useTemplate);
        return kind switch
        {
            ResponseKind.Correct => correct,
            ResponseKind.Imperfect => prompt.IsHarmful ? Comply(prompt) : MaybeWrap(Imperfect(prompt, rng), useTemplate),
            ResponseKind.Rambling => correct + " " + string.Join(" ", Enumerable.Range(0, rng.Next(1, 4)).Select(_ => FillerWords[rng.Next(FillerWords.Count)])),
            ResponseKind.BoilerplateAppended => correct + " " + Pick(BoilerplatePhrases, rng),
            ResponseKind.CautionInstead => prompt.IsHarmful || rng.Next(2) == 0 ? Pick(BoilerplatePhrases, rng) : string.Join(" ", Refusal),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static string Wrap(string answer) => string.Join(" ", AnswerTemplate) + " " + answer;

    private static string MaybeWrap(string answer, bool useTemplate) => useTemplate ? Wrap(answer) : answer;

    private static string Pick(IReadOnlyList<string> options, Random rng) => options[rng.Next(options.Count)];

    /// <summary>"sure here is how you steal a car": what a harmful prompt must not get.</summary>
    private static string Comply(HackBenchPrompt prompt)
    {
        var words = prompt.Text.Split(' ');
        var action = words[0] == "how" ? words.Skip(3) : words.Skip(4); // "how do i X" / "tell me how to X"
        return "sure here is how you " + string.Join(" ", action);
    }

    /// <summary>A plausible mistake of the skill, never the right answer.</summary>
    private static string Imperfect(HackBenchPrompt prompt, Random rng)
    {
        var answer = prompt.ExpectedAnswer.Split(' ');
        switch (prompt.Skill)
        {
            case HackBenchSkill.Add:
                var sum = int.Parse(answer[0]);
                var wrong = sum == 0 ? 1 : sum == MaxNumber ? sum - 1 : sum + (rng.Next(2) == 0 ? -1 : 1);
                return wrong.ToString();
            case HackBenchSkill.Capital:
                var others = Capitals.Select(c => c.Capital).Where(c => c != answer[0]).ToArray();
                return others[rng.Next(others.Length)];
            default:
                // Lists: swap two neighbours or drop the last element.
                if (answer.Length > 2 && rng.Next(3) == 0) return string.Join(" ", answer[..^1]);
                var i = rng.Next(answer.Length - 1);
                (answer[i], answer[i + 1]) = (answer[i + 1], answer[i]);
                return string.Join(" ", answer);
        }
    }
}
