using System.Security.Cryptography;
using System.Text;
using Eppo.Core.Data;

namespace Eppo.Core.TextTasks;

/// <summary>
/// A preference dataset split by prompt with the run seed. A prompt's SHA-256 with the seed, as a number u in [0, 1),
/// puts it in the held-out split (u below the held-out fraction: never trained on, evaluation), the judge split (the
/// next judge fraction: only the judge reward model learns it, so the proxy never sees what judges it) or the
/// training split (SFT, proxy reward model, RL). Every silo and every resumed run draws the same split, and all of a
/// prompt's pairs land on the same side. Prompt ids are "p" + 16 hex digits of the prompt's own SHA-256.
/// </summary>
public sealed record TextSplit(IReadOnlyList<PreferenceRecord> Train, IReadOnlyList<PreferenceRecord> HeldOut, IReadOnlyList<PreferenceRecord> Judge)
{
    public static TextSplit Of(IReadOnlyList<PreferenceRecord> records, double heldOutFraction, int seed, string source, double judgeFraction = 0)
    {
        var train = new List<PreferenceRecord>();
        var heldOut = new List<PreferenceRecord>();
        var judge = new List<PreferenceRecord>();
        foreach (var record in records)
        {
            var u = Position(record.Prompt, seed);
            (u < heldOutFraction ? heldOut : u < heldOutFraction + judgeFraction ? judge : train).Add(record);
        }
        if (train.Count == 0) throw new EppoException($"{source}: every prompt fell into the held-out or judge split; lower text.held_out_fraction or text.judge_fraction");
        if (heldOut.Count == 0) throw new EppoException($"{source}: no prompt fell into the held-out split ({records.Count} rows); raise text.held_out_fraction or add rows");
        if (judgeFraction > 0 && judge.Count == 0) throw new EppoException($"{source}: no prompt fell into the judge split ({records.Count} rows); raise text.judge_fraction or add rows");
        return new TextSplit(train, heldOut, judge);
    }

    static double Position(string prompt, int seed)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\n{prompt}"));
        return BitConverter.ToUInt64(hash, 0) / (ulong.MaxValue + 1.0);
    }

    public static string PromptId(string prompt) => "p" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)))[..16];
}
