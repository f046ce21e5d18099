using System.Text.Json;
using Eppo.Contracts;

namespace Eppo.Experiments;

/// <summary>
/// The configurations an `eppo tune` run picked on its dev seeds (its tune.json's `picked`: method → grid label), for
/// the demo to run instead of the paper's (`eppo demo --picks tune.json`). Methods the tune did not pick for keep the
/// demo's configuration. Picks are tied to the scale they were tuned at, so a full-scale tune is refused by a quick
/// demo and the other way round.
/// </summary>
public sealed record TunePicks(string Source, bool Quick, IReadOnlyDictionary<string, TuneConfig> ByMethod)
{
    // The field names as tune.json's writer names them (TuneResult, snake_case), not spelled a second time.
    static readonly string PickedField = JsonNamingPolicy.SnakeCaseLower.ConvertName(nameof(TuneResult.Picked));
    static readonly string QuickField = JsonNamingPolicy.SnakeCaseLower.ConvertName(nameof(TuneResult.Quick));

    public static TunePicks Load(string path)
    {
        if (!File.Exists(path)) throw new EppoException($"--picks: {path} does not exist (expected the tune.json an `eppo tune` run wrote)");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new EppoException($"--picks: {path} is not JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(PickedField, out var picked) || picked.ValueKind != JsonValueKind.Object)
                throw new EppoException($"--picks: {path} has no object '{PickedField}' (expected the tune.json an `eppo tune` run wrote)");
            if (!root.TryGetProperty(QuickField, out var quick) || quick.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw new EppoException($"--picks: {path} has no boolean '{QuickField}'");
            var byMethod = new Dictionary<string, TuneConfig>();
            foreach (var pick in picked.EnumerateObject())
            {
                var label = pick.Value.ValueKind == JsonValueKind.String ? pick.Value.GetString()! : "";
                var config = TunePlan.Grid.FirstOrDefault(c => c.Label == label)
                    ?? throw new EppoException($"--picks: {path}: {PickedField}.{pick.Name} is '{label}', not a configuration of the tuning grid " +
                                               $"(expected one of {string.Join(", ", TunePlan.Grid.Select(c => c.Label))})");
                if (config.Method != pick.Name)
                    throw new EppoException($"--picks: {path}: {PickedField}.{pick.Name} is '{label}', a configuration of '{config.Method}'");
                byMethod[pick.Name] = config;
            }
            if (byMethod.Count == 0) throw new EppoException($"--picks: {path}: '{PickedField}' is empty");
            return new TunePicks(path, quick.GetBoolean(), byMethod);
        }
    }

    /// <summary>Throws when the picks were tuned at the other scale.</summary>
    public TunePicks RequireScale(bool quick) => Quick == quick ? this
        : throw new EppoException($"--picks: {Source} was tuned {(Quick ? "with --quick" : "at full scale")}; picks do not carry over to {(quick ? "--quick" : "full scale")}");

    /// <summary>The spec with its method's picked configuration, or unchanged when the tune did not pick for its method.</summary>
    public RunSpec Apply(RunSpec spec) => ByMethod.TryGetValue(spec.Method, out var config) ? config.Apply(spec) : spec;

    /// <summary>"ppo: actor_lr 5e-5; eppo: η 1, spread scale" in the methods' report order.</summary>
    public string Describe() => string.Join("; ", TrainingMethods.InReportOrder(ByMethod.Keys).Select(m => $"{m}: {ByMethod[m].Setting}"));
}
