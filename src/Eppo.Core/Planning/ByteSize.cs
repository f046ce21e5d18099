using System.Globalization;
using System.Text.RegularExpressions;

namespace Eppo.Core.Planning;

/// <summary>Byte counts as people write them: "141GiB", "80 GB", "512MiB", "1.5TiB", or plain bytes.</summary>
public static partial class ByteSize
{
    static readonly Dictionary<string, double> Units = new(StringComparer.OrdinalIgnoreCase)
    {
        [""] = 1, ["B"] = 1,
        ["KB"] = 1e3, ["MB"] = 1e6, ["GB"] = 1e9, ["TB"] = 1e12,
        ["KiB"] = 1L << 10, ["MiB"] = 1L << 20, ["GiB"] = 1L << 30, ["TiB"] = 1L << 40,
    };

    /// <summary>The bytes <paramref name="text"/> names; <paramref name="option"/> names it in the one-line error.</summary>
    public static long Parse(string text, string option)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !Units.TryGetValue(match.Groups[2].Value, out var unit)
            || !double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !(number > 0))
            throw new EppoException($"{option}: '{text}' is not a size (e.g. 141GiB, 80GB, 512MiB)");
        var bytes = number * unit;
        if (bytes > long.MaxValue / 2) throw new EppoException($"{option}: '{text}' is too large");
        return (long)bytes;
    }

    /// <summary>Bytes in binary units with three significant figures ("15.0 GiB", "80.0 MiB", "512 B").</summary>
    public static string Format(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var i = 0;
        while (Math.Abs(bytes) >= 1024 && i < units.Length - 1)
        {
            bytes /= 1024;
            i++;
        }
        var format = i == 0 ? "0" : Math.Abs(bytes) >= 100 ? "0" : "0.0";
        return $"{bytes.ToString(format, CultureInfo.InvariantCulture)} {units[i]}";
    }

    [GeneratedRegex(@"^([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)$")]
    private static partial Regex Pattern();
}
