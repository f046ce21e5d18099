namespace Eppo.Cli;

public sealed class ClusterUnreachableException(string message) : Exception(message);
