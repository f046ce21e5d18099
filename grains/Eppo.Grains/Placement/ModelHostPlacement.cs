using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Eppo.Grains;

/// <summary>Places model-bearing grains (generators, scorers, learner, energy reference) on silos with model capacity.</summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("eppo.ModelHostPlacement")]
public sealed class ModelHostPlacementStrategy : PlacementStrategy
{
    public static readonly ModelHostPlacementStrategy Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ModelHostPlacementAttribute() : PlacementAttribute(ModelHostPlacementStrategy.Instance);

/// <summary>
/// Picks among the silos whose metadata advertises model slots (<see cref="Hosting.SiloCapacity.ModelSlotsKey"/> &gt; 0).
/// Keys "{runId}/{i}" go to silo (hash(runId) + i) mod n of the sorted hosts, so a run's generators spread across
/// silos; a silo joining or leaving changes where new activations land, nothing else.
/// </summary>
public sealed class ModelHostPlacementDirector(ISiloMetadataCache metadata) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var hosts = context.GetCompatibleSilos(target)
            .Where(silo => Hosting.SiloCapacity.ModelSlots(metadata.GetSiloMetadata(silo).Metadata) > 0)
            .OrderBy(silo => silo.ToParsableString(), StringComparer.Ordinal)
            .ToArray();
        if (hosts.Length == 0)
            throw new OrleansException($"no silo advertises model capacity ({Hosting.SiloCapacity.ModelSlotsKey} > 0) for {target.GrainIdentity}");
        return Task.FromResult(hosts[Slot(target.GrainIdentity.Key.ToString()!, hosts.Length)]);
    }

    /// <summary>(stable hash of the run id + trailing index) mod n.</summary>
    public static int Slot(string key, int hosts)
    {
        var slash = key.LastIndexOf('/');
        var (run, index) = slash > 0 && int.TryParse(key[(slash + 1)..], out var i) ? (key[..slash], i) : (key, 0);
        var hash = (int)(Core.Training.Seeds.Combine(run.Select(c => (long)c).ToArray()) % hosts);
        return (hash + index) % hosts;
    }
}
