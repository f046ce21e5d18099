using System.Globalization;

namespace Eppo.Contracts;

/// <summary>
/// The checks of one run-spec section: every failure is one line naming the file and the field, with the bound. Numbers
/// are compared as doubles first, so a value that would overflow a float32 (or an int product) is refused, not cast.
/// </summary>
public sealed class SpecCheck(string source, string section = "")
{
    public void Require(bool ok, string field, string what)
    {
        if (!ok) throw new EppoException($"{source}: field '{section}{field}': {what}");
    }

    /// <summary>min ≤ value ≤ max.</summary>
    public void Within(long value, long min, long max, string field, string why = "") =>
        Require(value >= min && value <= max, field, $"must be in {min}..{max}{why} (got {value})");

    /// <summary>A finite number in [min, max], or (min, max] when <paramref name="openBelow"/>.</summary>
    public void Within(double value, double min, double max, string field, bool openBelow = false) =>
        Require(double.IsFinite(value) && (openBelow ? value > min : value >= min) && value <= max, field,
            $"must be a number in {(openBelow ? "(" : "[")}{Show(min)}, {Show(max)}] (got {Show(value)})");

    /// <summary>Learning rates: (0, 1]. Larger ones only diverge; 1e300 would overflow float32 in the optimizer.</summary>
    public void LearningRate(double value, string field) => Within(value, 0, 1, field, openBelow: true);

    static string Show(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
