namespace Eppo.Core;

/// <summary>A user-facing error: bad input, bad configuration, bad data file. The message says what is wrong.</summary>
public class EppoException(string message) : Exception(message);
