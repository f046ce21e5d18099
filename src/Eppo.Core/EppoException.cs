namespace Eppo.Core;

/// <summary>A user-facing error: bad input or configuration, with a message that names what is wrong.</summary>
public class EppoException(string message) : Exception(message);
