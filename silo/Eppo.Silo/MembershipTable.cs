using Azure;
using Azure.Data.Tables;

namespace Eppo.Silo;

/// <summary>Reads Orleans' Azure membership table (partition = cluster id) without joining the cluster.</summary>
public static class MembershipTable
{
    public const string TableName = "OrleansSiloInstances";

    /// <summary>How many silos of the cluster the table lists as active; 0 when the table does not exist yet.</summary>
    public static async Task<int> ActiveSilosAsync(StorageConnection connection, string clusterId, CancellationToken cancellation = default)
    {
        var table = connection.TableService(retries: 1, networkTimeout: TimeSpan.FromSeconds(10)).GetTableClient(TableName);
        var active = 0;
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == clusterId, cancellationToken: cancellation))
                if (row.GetString("Status") == "Active") active++;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
        return active;
    }
}
