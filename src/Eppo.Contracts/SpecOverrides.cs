using System.Text.Json;
using System.Text.Json.Nodes;

namespace Eppo.Contracts;

/// <summary>
/// `--set field=value` for the commands that build their own specs (demo, tune): a dotted snake_case path of the run
/// spec's JSON (reward.caution_bias, hackbench.sft_imperfect, iterations) and a JSON value (a bare word is a string).
/// Applied to the JSON form, so a field is named exactly as in a spec file, and the result is validated like one.
/// </summary>
public static class SpecOverrides
{
    /// <summary>Parses every <c>field=value</c> once, so a bad one is refused before anything runs.</summary>
    public static IReadOnlyList<(string Field, JsonNode? Value)> Parse(IEnumerable<string> assignments, string option = "--set") =>
        assignments.Select(a =>
        {
            var eq = a.IndexOf('=');
            if (eq <= 0) throw new EppoException($"{option} '{a}': expected field=value, e.g. reward.caution_bias=0.3");
            var field = a[..eq].Trim();
            var text = a[(eq + 1)..].Trim();
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                value = JsonValue.Create(text);   // a bare word: a string, as `--set method=ppo` means
            }
            return (field, value);
        }).ToArray();

    /// <summary>The spec with every override applied, checked like a spec file; a field the spec has not is an error naming it.</summary>
    public static RunSpec Apply(RunSpec spec, IReadOnlyList<(string Field, JsonNode? Value)> overrides, string option = "--set")
    {
        if (overrides.Count == 0) return spec;
        var root = JsonNode.Parse(spec.ToJson())!.AsObject();
        foreach (var (field, value) in overrides)
        {
            var parts = field.Split('.');
            var node = root;
            foreach (var part in parts[..^1])
            {
                node[part] ??= new JsonObject();   // an optional section left out (null) starts empty
                node = node[part] as JsonObject ?? throw new EppoException($"{option} {field}: '{part}' is not a section of the run spec");
            }
            node[parts[^1]] = value?.DeepClone();
        }
        return RunSpec.Parse(root.ToJsonString(), $"{option} {string.Join(' ', overrides.Select(o => o.Field))}");
    }
}
