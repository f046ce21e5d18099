using Eppo.Core.HackBench;

namespace Eppo.Core.HackBench;

/// <summary>
/// The distinct responses sampled for one prompt and every labelled pair among them (InstructGPT's K-wise
/// comparisons, Ouyang et al. 2022 §3.5). Training on a prompt's pairs together scores each response once per step,
/// and each response is judged against several others with independent label noise.
/// </summary>
public sealed record ComparisonGroup(HackBenchPrompt Prompt, IReadOnlyList<string> Responses, IReadOnlyList<PreferencePair> Pairs)
{
    /// <summary>The group's pairs as (chosen, rejected) indices into <see cref="Responses"/>.</summary>
    public IEnumerable<(int Chosen, int Rejected)> Indexed()
    {
        foreach (var pair in Pairs)
            yield return (IndexOf(pair.Chosen), IndexOf(pair.Rejected));
    }

    int IndexOf(string response)
    {
        for (var i = 0; i < Responses.Count; i++)
            if (Responses[i] == response) return i;
        throw new InvalidOperationException($"comparison group for '{Prompt.Text}': '{response}' is not one of its responses");
    }
}
