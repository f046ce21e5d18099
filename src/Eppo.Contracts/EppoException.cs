namespace Eppo;

/// <summary>A user-facing error (bad config, bad data, a NaN from a model): its message is shown as one line, no stack trace.</summary>
public class EppoException(string message) : Exception(message);
