using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Eppo.Core;

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
/// Picks among the silos that host model-bearing grains: the compatible silos of the grain type, i.e. those whose grain
/// manifest has the class (silos started with --model-slots 0 leave these classes out; see SiloBuilderExtensions).
/// Keys "{runId}/{i}" go to silo (hash(runId) + i) mod n of the sorted hosts, so a run's generators spread across
/// silos; a silo joining or leaving changes where new activations land, nothing else.
/// </summary>
/// <remarks>
/// Not Orleans' silo metadata: its cache fetches a newcomer's metadata only on a membership change, and a fetch that
/// fails while the newcomer is still joining is not retried until the next change — a new silo could stay invisible to
/// placement for good (the scale-out test caught it). Grain manifests are fetched until they arrive.
/// </remarks>
public sealed class ModelHostPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var hosts = context.GetCompatibleSilos(target)
            .OrderBy(silo => silo.ToParsableString(), StringComparer.Ordinal)
            .ToArray();
        if (hosts.Length == 0)
            throw new OrleansException($"no silo hosts model-bearing grains (all run with --model-slots 0) for {target.GrainIdentity}");
        return Task.FromResult(hosts[Slot(target.GrainIdentity.Key.ToString()!, hosts.Length)]);
    }

    /// <summary>(stable hash of the run id + trailing index) mod n.</summary>
    public static int Slot(string key, int hosts)
    {
        var slash = key.LastIndexOf('/');
        var (run, index) = slash > 0 && int.TryParse(key[(slash + 1)..], out var i) ? (key[..slash], i) : (key, 0);
        var hash = (int)(Core.Seeds.Combine(run.Select(c => (long)c).ToArray()) % hosts);
        return (hash + index) % hosts;
    }
}
