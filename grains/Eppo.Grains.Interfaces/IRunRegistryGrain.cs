namespace Eppo.Grains.Interfaces;

/// <summary>The cluster's list of runs (one grain, key "runs"), and which of them should be making progress.</summary>
[Alias("eppo.IRunRegistryGrain")]
public interface IRunRegistryGrain : IGrainWithStringKey
{
    const string Key = "runs";
    [Alias("Add")] Task AddAsync(string runId);
    [Alias("List")] Task<IReadOnlyList<string>> ListAsync();
    /// <summary>Marks a run as one that should be active (running, pausing, stopping) or not; the run keeper wakes active ones.</summary>
    [Alias("SetActive")] Task SetActiveAsync(string runId, bool active);
    [Alias("ListActive")] Task<IReadOnlyList<string>> ListActiveAsync();
}
