using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;

namespace Eppo.Grains.Runs;

/// <summary>
/// Keeps a run's generators and scorers spread over the current model hosts, between iterations. Generators are
/// checked level-triggered: each rollout says which silo made it, and a generator that is not where placement would
/// put it now is moved there (grain migration; a membership change the run grain did not see, a re-activated run grain
/// or a placement made from a lagging view all heal at the next iteration). Scorers are moved when the set of hosts
/// changes. They hold no state a replay needs.
/// </summary>
public sealed class StagePlacement(
    IClusterMembershipService membership, Orleans.Runtime.IClusterManifestProvider manifests, IGrainFactory grains, ILogger logger)
{
    string? hostsSeen;

    /// <summary>The model hosts as last seen, for status.</summary>
    public string[] ModelHosts { get; private set; } = [];

    /// <summary>How many silos can host a learner replica, as last seen (those given the learner stage).</summary>
    public int LearnerHosts { get; private set; }

    public async Task SpreadAsync(string runId, GrainStages stages)
    {
        var hosts = Hosts(runId);
        LearnerHosts = HostsOf(grains.GetGrain<ILearnerGrain>(runId).GetGrainId().Type).Length;
        ModelHosts = hosts.Select(h => h.ToString()).ToArray();
        var key = string.Join(",", hosts.Select(h => h.ToParsableString()));
        var changed = hostsSeen is not null && hostsSeen != key;
        hostsSeen = key;
        var generators = stages.Generators.ToArray();
        var misplaced = hosts.Length == 0 ? [] : Enumerable.Range(0, Math.Min(generators.Length, stages.GeneratorHosts.Length))
            .Where(c => stages.GeneratorHosts[c] != hosts[ModelHostPlacementDirector.Slot(StageKeys.Generator(runId, c), hosts.Length)].ToString())
            .ToArray();
        if (!changed && misplaced.Length == 0) return;
        logger.LogInformation("run {Run}: model hosts {Hosts}; re-placing generators {Generators}{Scorers}", runId, key,
            string.Join(",", misplaced), changed ? " and the scorers" : "");
        var moving = misplaced.Select(c => generators[c].MoveAsync()).Concat(changed ? stages.Scorers.Select(s => s.MoveAsync()) : []);
        try { await Task.WhenAll(moving); }
        catch (Exception e) { logger.LogInformation("run {Run}: moving a generator or scorer failed ({Error}); it is re-placed anyway when its silo is gone", runId, e.Message); }
    }

    /// <summary>
    /// The silos that can host model-bearing grains, sorted as placement sorts them: active members whose grain manifest
    /// has those classes (a silo started with --model-slots 0 leaves them out). Placement reads the same manifest, and
    /// Orleans keeps fetching a new silo's manifest until it has it.
    /// </summary>
    SiloAddress[] Hosts(string runId) => HostsOf(grains.GetGrain<IRolloutGeneratorGrain>(StageKeys.Generator(runId, 0)).GetGrainId().Type);

    SiloAddress[] HostsOf(GrainType type) =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active
                        && manifests.Current.Silos.TryGetValue(m.SiloAddress, out var manifest) && manifest.Grains.ContainsKey(type))
            .Select(m => m.SiloAddress)
            .OrderBy(silo => silo.ToParsableString(), StringComparer.Ordinal)
            .ToArray();
}
