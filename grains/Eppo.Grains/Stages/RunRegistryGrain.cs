using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

public sealed class RunRegistryGrain(
    [PersistentState("registry", EppoStorage.Name)] IPersistentState<RunRegistryState> state,
    EppoResilience resilience) : Grain, IRunRegistryGrain
{
    async Task IRunRegistryGrain.AddAsync(string runId)
    {
        if (state.State.RunIds.Contains(runId)) return;
        state.State.RunIds.Add(runId);
        await resilience.RunStorageAsync(_ => state.WriteStateAsync());
    }

    Task<IReadOnlyList<string>> IRunRegistryGrain.ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.RunIds]);
}

[GenerateSerializer, Alias("eppo.RunRegistryState")]
public sealed class RunRegistryState
{
    [Id(0)] public List<string> RunIds { get; set; } = [];
    // Id 1 held the runs the silos' run keeper woke; an active run's own reminder does that now (a stored value is skipped).
}
