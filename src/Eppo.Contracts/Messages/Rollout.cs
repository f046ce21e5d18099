using Orleans;

namespace Eppo.Contracts.Messages;

/// <summary>
/// Sampled responses with the policy's energy loss ΔE_RL on each (masked mean over the response), and the silo that
/// generated them (Orleans' silo identity; "" in process), so status can show where a run's generators are. With
/// overlap, also each response token's log-probability under the policy version that sampled it (the PPO ratio's
/// denominator when the learner has moved on), and that version.
/// </summary>
[GenerateSerializer, Immutable, Alias("eppo.Rollout")]
public sealed record Rollout(int[][] Responses, float[] Energy, string Host = "", float[][]? LogProbs = null, int PolicyVersion = -1)
{
    /// <summary>The chunks' rows, in order; the hosts of the chunks are in <paramref name="chunks"/> themselves.</summary>
    public static Rollout Concat(IEnumerable<Rollout> chunks)
    {
        var all = chunks.ToArray();
        var versions = all.Select(r => r.PolicyVersion).Distinct().ToArray();
        if (versions.Length > 1) throw new EppoException($"rollout chunks were sampled by different policy versions ({string.Join(", ", versions)})");
        return new Rollout(all.SelectMany(r => r.Responses).ToArray(), all.SelectMany(r => r.Energy).ToArray(),
            LogProbs: all.All(r => r.LogProbs is not null) ? all.SelectMany(r => r.LogProbs!).ToArray() : null, PolicyVersion: versions.FirstOrDefault(-1));
    }
}
