using Azure;
using Eppo.Core;

namespace Eppo.Silo;

/// <summary>
/// Checks the azure profile's storage before the silo joins: creates the containers it writes to when missing and
/// lists one table. Turns each way of failing into one line that names the setting to fix.
/// </summary>
public static class StorageProbe
{
    public static async Task CheckAsync(StorageConnection connection, IEnumerable<(string Container, string Setting)> containers, CancellationToken cancellation = default)
    {
        var timeout = TimeSpan.FromSeconds(10);
        var blobs = connection.BlobService(retries: 1, networkTimeout: timeout);
        var tables = connection.TableService(retries: 1, networkTimeout: timeout);
        var endpoint = connection.Endpoint;
        var step = "list tables";
        try
        {
            await foreach (var _ in tables.QueryAsync(filter: (string?)null, maxPerPage: 1, cancellationToken: cancellation).AsPages())
                break;
            foreach (var (container, setting) in containers)
            {
                step = $"create container '{container}' ({setting})";
                await blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellation);
            }
        }
        catch (RequestFailedException e) when (e.Status is 401 or 403)
        {
            throw new EppoException($"{connection.Source}: storage at {endpoint} rejected the credentials ({e.Status} {e.ErrorCode}) — check the account name and key");
        }
        catch (RequestFailedException e) when (e.Status is >= 400 and < 500)
        {
            throw new EppoException($"{connection.Source}: storage at {endpoint} refused to {step}: {e.Status} {e.ErrorCode}");
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException or TimeoutException or OperationCanceledException
                                  && !cancellation.IsCancellationRequested)
        {
            throw new StorageUnavailableException($"storage at {endpoint} ({connection.Source}) did not answer: {e.GetBaseException().Message}");
        }
    }
}
