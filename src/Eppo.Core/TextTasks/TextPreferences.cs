using Eppo.Core.Data;
using Eppo.Core.Model;
using Eppo.Core.Tasks;

namespace Eppo.Core.TextTasks;

/// <summary>
/// Human preference pairs as reward-model data: the given pairs (the training split, or the judge split) grouped by prompt (a prompt with several
/// responses is one K-wise group, each response scored once per step), at most request.Pairs pairs in a seeded
/// order; held-out pairs from the held-out split. There is no gold judge, so agreement with gold is NaN.
/// </summary>
public sealed class TextPreferences(IReadOnlyList<PreferenceRecord> train, IReadOnlyList<PreferenceRecord> heldOutPairs, Func<PreferenceRecord, bool> fits) : IPreferenceSource
{
    public PreferenceData Build(DecoderModel sft, TaskCodec codec, PreferenceRequest request, Action<string>? progress)
    {
        var pairs = train.Where(fits).ToList();
        new Random(request.Seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pairs));
        var groups = new List<PreferenceGroup>();
        foreach (var prompt in pairs.Take(request.Pairs).GroupBy(p => p.Prompt))
        {
            var responses = new List<string>();
            int Index(string response)
            {
                var i = responses.IndexOf(response);
                if (i >= 0) return i;
                responses.Add(response);
                return responses.Count - 1;
            }
            var labelled = prompt.Where(p => p.Chosen != p.Rejected).Select(p => (Index(p.Chosen), Index(p.Rejected))).ToList();
            if (labelled.Count > 0) groups.Add(new PreferenceGroup(prompt.Key, responses, labelled));
        }
        if (groups.Count == 0 && request.Pairs > 0) throw new EppoException("text task: no training preference pairs fit text.max_prompt_tokens and max_new_tokens");
        var heldOut = heldOutPairs.Where(fits).Where(p => p.Chosen != p.Rejected).Take(request.HeldOutPairs)
            .Select(p => new HeldOutPair(p.Prompt, p.Chosen, p.Rejected)).ToList();
        if (heldOut.Count == 0) throw new EppoException("text task: no held-out preference pairs fit text.max_prompt_tokens and max_new_tokens");
        progress?.Invoke($"text preferences: {groups.Sum(g => g.Pairs.Count)} training pairs over {groups.Count} prompts, {heldOut.Count} held out");
        return new PreferenceData(groups, heldOut, double.NaN, double.NaN);
    }
}
