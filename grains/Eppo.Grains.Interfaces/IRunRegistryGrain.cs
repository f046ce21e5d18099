namespace Eppo.Grains.Interfaces;

/// <summary>The cluster's list of runs (one grain, key "runs").</summary>
[Alias("eppo.IRunRegistryGrain")]
public interface IRunRegistryGrain : IGrainWithStringKey
{
    const string Key = "runs";
    [Alias("Add")] Task AddAsync(string runId);
    [Alias("List")] Task<IReadOnlyList<string>> ListAsync();
}
