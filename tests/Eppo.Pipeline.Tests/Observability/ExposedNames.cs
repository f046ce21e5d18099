using System.Text.Json;
using System.Text.RegularExpressions;

namespace Eppo.Pipeline.Tests.Observability;

/// <summary>Metric names: those a scrape exposes, and those the dashboard and the alert rules query.</summary>
internal static partial class ExposedNames
{
    /// <summary>Prometheus makes these itself (scrape health, alert state); no exporter serves them.</summary>
    public static readonly IReadOnlySet<string> PrometheusOwn = new HashSet<string> { "up", "ALERTS", "ALERTS_FOR_STATE" };

    /// <summary>One sample per line of the text / OpenMetrics exposition: name, labels, value.</summary>
    public static IEnumerable<Sample> Samples(string exposition)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var match = SampleLine().Match(line);
            if (!match.Success) throw new FormatException($"unparsed exposition line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            yield return new Sample(match.Groups["name"].Value, labels, match.Groups["value"].Value);
        }
    }

    public static ISet<string> Names(string exposition) => Samples(exposition).Select(s => s.Name).ToHashSet();

    /// <summary>Every PromQL expression of the dashboard's panels (rows included).</summary>
    public static IReadOnlyList<string> DashboardExpressions(string dashboardJson)
    {
        using var doc = JsonDocument.Parse(dashboardJson);
        var expressions = new List<string>();
        void Walk(JsonElement panels)
        {
            foreach (var panel in panels.EnumerateArray())
            {
                if (panel.TryGetProperty("targets", out var targets))
                    expressions.AddRange(targets.EnumerateArray().Select(t => t.GetProperty("expr").GetString()!));
                if (panel.TryGetProperty("panels", out var nested)) Walk(nested);
            }
        }
        Walk(doc.RootElement.GetProperty("panels"));
        foreach (var variable in doc.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            expressions.Add(LabelValues().Replace(variable.GetProperty("definition").GetString()!, "$1"));
        return expressions;
    }

    /// <summary>The expr of every rule in a rules file (single-line or a "|" block).</summary>
    public static IReadOnlyList<string> RuleExpressions(string rulesYaml)
    {
        var lines = rulesYaml.Split('\n');
        var expressions = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = ExprLine().Match(lines[i]);
            if (!match.Success) continue;
            var value = match.Groups["value"].Value.Trim();
            if (value != "|")
            {
                expressions.Add(value);
                continue;
            }
            var indent = match.Groups["indent"].Value.Length;
            var block = lines.Skip(i + 1).TakeWhile(l => l.Trim().Length == 0 || l.Length - l.TrimStart().Length > indent);
            expressions.Add(string.Join('\n', block).Trim());
        }
        return expressions;
    }

    /// <summary>Metric names in a PromQL expression: identifiers outside strings, label matchers and ranges that are
    /// not functions, aggregations or keywords. Enough for the expressions we ship, not a PromQL parser.</summary>
    public static ISet<string> MetricNames(string promql)
    {
        var stripped = QuotedString().Replace(promql, "\"\"");
        stripped = Braces().Replace(stripped, "{}");
        stripped = ByClause().Replace(stripped, "");
        stripped = Brackets().Replace(stripped, "[]");
        return Identifier().Matches(stripped)
            .Where(m => !IsCall(stripped, m))
            .Select(m => m.Value)
            .Where(name => !Keywords.Contains(name))
            .ToHashSet();
    }

    private static bool IsCall(string text, Match m)
    {
        var rest = text.AsSpan(m.Index + m.Length).TrimStart();
        return rest.Length > 0 && rest[0] == '(';
    }

    private static readonly HashSet<string> Keywords =
        ["by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or", "unless", "inf", "nan"];

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\S+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex("(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<value>(?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPair();

    /// <summary>label_values(metric{...}, label): the metric is the query, the label is not a metric name.</summary>
    [GeneratedRegex(@"^label_values\((.*),\s*\w+\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"^(?<indent>\s*)(- )?expr:\s*(?<value>.*)$")]
    private static partial Regex ExprLine();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex ByClause();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}

internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, string Value)
{
    public double Number => Value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(Value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
