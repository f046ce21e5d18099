namespace Eppo.Silo;

/// <summary>Azure Storage did not answer at start-up (down, wrong endpoint, firewall): the CLI exits with "cluster unreachable".</summary>
public sealed class StorageUnavailableException(string message) : Exception(message);
