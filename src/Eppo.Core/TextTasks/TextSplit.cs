using System.Security.Cryptography;
using System.Text;
using Eppo.Core.Data;

namespace Eppo.Core.TextTasks;

/// <summary>
/// A preference dataset split by prompt with the run seed: a prompt is held out when its SHA-256 with the seed falls
/// below the held-out fraction, so every silo, and every resumed run, draws the same split, and all of a prompt's
/// pairs land on the same side. Prompt ids are "p" + 16 hex digits of the prompt's own SHA-256.
/// </summary>
public sealed record TextSplit(IReadOnlyList<PreferenceRecord> Train, IReadOnlyList<PreferenceRecord> HeldOut)
{
    public static TextSplit Of(IReadOnlyList<PreferenceRecord> records, double heldOutFraction, int seed, string source)
    {
        var train = new List<PreferenceRecord>();
        var heldOut = new List<PreferenceRecord>();
        foreach (var record in records)
            (IsHeldOut(record.Prompt, heldOutFraction, seed) ? heldOut : train).Add(record);
        if (train.Count == 0) throw new EppoException($"{source}: every prompt fell into the held-out split; lower text.held_out_fraction");
        if (heldOut.Count == 0) throw new EppoException($"{source}: no prompt fell into the held-out split ({records.Count} rows); raise text.held_out_fraction or add rows");
        return new TextSplit(train, heldOut);
    }

    static bool IsHeldOut(string prompt, double fraction, int seed)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\n{prompt}"));
        return BitConverter.ToUInt64(hash, 0) / (double)ulong.MaxValue < fraction;
    }

    public static string PromptId(string prompt) => "p" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)))[..16];
}
