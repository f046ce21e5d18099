using System.Text.RegularExpressions;
using Eppo.Core.Model;

namespace Eppo.Core.Adapters;

/// <summary>
/// Which linears an adapter wraps, by PEFT's rules: "all-linear" (every linear of the blocks, not the output layer),
/// a list of names (a layer matches when its path equals a name or ends with "." + name), or one regular expression
/// that must match the whole path.
/// </summary>
public sealed record LoraTargets(bool AllLinear, IReadOnlyList<string> Names, string? Pattern)
{
    public const string AllLinearName = "all-linear";

    public static LoraTargets Of(IReadOnlyList<string> names) =>
        names is [AllLinearName] ? new(true, [], null) : new(false, names, null);

    public static LoraTargets Regex(string pattern) => pattern == AllLinearName ? new(true, [], null) : new(false, [], pattern);

    /// <summary>What adapter_config.json's target_modules holds: "all-linear", a regex string, or a list.</summary>
    public object ToPeft() => AllLinear ? AllLinearName : Pattern is { } p ? p : Names;

    public bool Matches(string path) =>
        AllLinear ? !IsOutputLayer(path)
        : Pattern is { } p ? System.Text.RegularExpressions.Regex.IsMatch(path, $"^(?:{p})$")
        : Names.Any(n => path == n || path.EndsWith("." + n, StringComparison.Ordinal));

    /// <summary>
    /// The linears of <paramref name="model"/> this selects, in model order. None at all is refused, naming what there is.
    /// </summary>
    public IReadOnlyList<Projection> Resolve(DecoderModel model, string field = "model.adapter.targets")
    {
        var linears = model.Projections.ToList();
        var chosen = Select(linears.Select(p => p.Path), field);
        return linears.Where(p => chosen.Contains(p.Path)).ToList();
    }

    /// <summary>The paths of <paramref name="paths"/> this selects; none at all is refused, naming the linears there are.</summary>
    public IReadOnlySet<string> Select(IEnumerable<string> paths, string field = "model.adapter.targets")
    {
        var all = paths.ToList();
        var chosen = all.Where(Matches).ToHashSet();
        if (chosen.Count == 0)
            throw new EppoException($"{field}: {Describe()} match no module; the model's linear modules are: " +
                string.Join(", ", all.Where(p => !IsOutputLayer(p)).Select(p => p.Split('.')[^1]).Distinct()));
        return chosen;
    }

    string Describe() => AllLinear ? $"\"{AllLinearName}\"" : Pattern is { } p ? $"pattern \"{p}\"" : $"[{string.Join(", ", Names)}]";

    static bool IsOutputLayer(string path) => !path.Contains('.');
}
