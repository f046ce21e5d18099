using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Eppo.Core;
using Microsoft.Extensions.Configuration;

namespace Eppo.Silo;

/// <summary>
/// The Azure Storage connection string of the azure profile and the setting it came from. The string itself is a
/// secret: it is never logged or shown; messages name <see cref="Source"/> and the account's endpoint instead.
/// </summary>
public sealed record StorageConnection(string ConnectionString, string Source)
{
    public const string Flag = "--connection-string";
    public const string EnvironmentVariable = "EPPO_STORAGE_CONNECTION";
    public const string ConfigKey = "Eppo:Storage:ConnectionString";

    /// <summary>Precedence: the flag, then EPPO_STORAGE_CONNECTION, then configuration key Eppo:Storage:ConnectionString.</summary>
    public static StorageConnection Resolve(string? flag, IConfiguration? configuration = null)
    {
        var (value, source) =
            !string.IsNullOrWhiteSpace(flag) ? (flag, Flag)
            : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? (env, EnvironmentVariable)
            : (configuration?[ConfigKey] ?? Environment.GetEnvironmentVariable(ConfigKey.Replace(":", "__"))) is { Length: > 0 } config ? (config, $"configuration key {ConfigKey}")
            : throw new EppoException($"--cluster azure needs an Azure Storage connection string: set {EnvironmentVariable} (or pass {Flag}, or configuration key {ConfigKey})");
        var connection = new StorageConnection(value.Trim(), source);
        connection.BlobService(); // fails on a malformed string, naming the setting
        return connection;
    }

    public BlobServiceClient BlobService(int retries = 2, TimeSpan? networkTimeout = null)
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = retries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.NetworkTimeout = networkTimeout ?? TimeSpan.FromSeconds(30);
        return Create(() => new BlobServiceClient(ConnectionString, options));
    }

    public TableServiceClient TableService(int retries = 2, TimeSpan? networkTimeout = null)
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = retries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.NetworkTimeout = networkTimeout ?? TimeSpan.FromSeconds(30);
        return Create(() => new TableServiceClient(ConnectionString, options));
    }

    /// <summary>The blob endpoint without any SAS query: safe to show.</summary>
    public string Endpoint => BlobService().Uri.GetLeftPart(UriPartial.Path);

    T Create<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or UriFormatException or InvalidOperationException)
        {
            // The SDK's message may quote parts of the string; say what is wrong without it.
            throw new EppoException($"{Source}: not a valid Azure Storage connection string (expected e.g. 'UseDevelopmentStorage=true' or 'DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…')");
        }
    }

    public override string ToString() => $"StorageConnection({Source})";
}
