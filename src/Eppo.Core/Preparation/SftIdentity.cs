using System.Text.Json;
using System.Text.Json.Nodes;
using Eppo.Contracts;

namespace Eppo.Core.Preparation;

/// <summary>
/// What identifies the SFT model a spec trains, the content of its cache key: the whole spec but the fields that do not
/// shape that model. A field is part of the key unless <see cref="RlOnly"/> lists it, so a new task section separates
/// cached models by itself; a test fails until every new RunSpec field is classified one way or the other.
/// </summary>
public static class SftIdentity
{
    /// <summary>
    /// The spec's fields (as named in JSON; "model.adapter" is a field of a section) that do not shape the SFT model:
    /// the run's name, where RL's prompts come from, the reward section (reward models have keys of their own), the
    /// method and every RL setting, and how RL trains the policy (an adapter, the base's dtype) — runs that differ
    /// only there share their SFT model.
    /// </summary>
    public static readonly IReadOnlyList<string> RlOnly =
    [
        "name", "prompts_file", "prompts", "reward", "method", "eta", "probe_site", "energy_floor", "energy_definition", "energy_reader",
        "energy_scale", "energy_one_sided", "reward_clip", "kl_beta", "kl_target", "kl_horizon", "length_scale", "iterations", "batch_size",
        "mini_batch_size", "ppo_epochs", "actor_lr", "critic_lr", "gamma", "lambda", "clip_eps", "value_clip_eps", "temperature", "top_k", "top_p",
        "checkpoint_interval", "prompt_shards", "generators", "scorers", "learners", "overlap", "model.adapter", "model.dtype",
    ];

    /// <summary>Shapes the SFT model only of a task that cuts its SFT rows to it (<see cref="Tasks.ITrainingTask.SftRowsFitMaxNewTokens"/>); keyed as "limit".</summary>
    public const string ResponseLimit = "max_new_tokens";

    /// <summary>A section that is null stays out of the key, but for these, which the keys of preparation version 2 always held (as null).</summary>
    static readonly string[] KeptWhenNull = ["text"];

    /// <summary>
    /// The identity: the preparation version, the spec's shaping fields in declaration order (a null section left
    /// out), then "limit" — in exactly the layout keys had when these fields were listed by hand, so models prepared
    /// then keep their keys.
    /// </summary>
    public static JsonObject Of(RunSpec spec, bool limitShapes, int preparationVersion)
    {
        var fields = JsonSerializer.SerializeToNode(spec, RunSpec.Json)!.AsObject();
        var identity = new JsonObject { ["preparation_version"] = preparationVersion };
        foreach (var (name, value) in fields.ToArray())
        {
            if (RlOnly.Contains(name) || name == ResponseLimit || (value is null && !KeptWhenNull.Contains(name))) continue;
            fields.Remove(name);
            if (value is JsonObject section)
                foreach (var field in RlOnly.Where(f => f.StartsWith(name + ".", StringComparison.Ordinal)))
                    section.Remove(field[(name.Length + 1)..]);
            identity[name] = value;
        }
        identity["limit"] = limitShapes ? spec.MaxNewTokens : null;
        return identity;
    }
}
