using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Orleans.TestingHost;

namespace Eppo.Pipeline.Tests.Pipeline;

/// <summary>
/// An in-process cluster of several silos with the Eppo grains, memory storage and reminders, and a temporary data
/// root; a configure callback sets each silo's options (its name is given: the first one configured is the first
/// silo). Disposing stops the silos and deletes the data root.
/// </summary>
public sealed class TestSilos(InProcessTestCluster cluster, string dataRoot) : IAsyncDisposable
{
    public InProcessTestCluster Cluster => cluster;
    public IClusterClient Client => cluster.Client;
    public string DataRoot => dataRoot;

    public static async Task<TestSilos> StartAsync(short silos, string name, Action<string, EppoSiloOptions>? configure = null)
    {
        var dataRoot = Directory.CreateTempSubdirectory($"eppo-{name}-").FullName;
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddMemoryGrainStorage(EppoStorage.Name);
            silo.UseInMemoryReminderService();
            silo.AddEppoGrains(o =>
            {
                o.DataRoot = dataRoot;
                configure?.Invoke(options.SiloName, o);
            });
        });
        builder.ConfigureClient(client => client.Services.AddEppoSerialization());
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new TestSilos(cluster, dataRoot);
    }

    public async ValueTask DisposeAsync()
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
        try { Directory.Delete(dataRoot, recursive: true); } catch (IOException) { }
    }
}
