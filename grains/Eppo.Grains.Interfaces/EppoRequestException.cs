namespace Eppo.Grains.Interfaces;

/// <summary>
/// A user error (bad spec, unknown run, wrong state) as it crosses the wire to the client. Core's EppoException has no
/// Orleans codec; a silo filter rewraps it as this, and the CLI shows its message as one line.
/// </summary>
[GenerateSerializer, Alias("eppo.EppoRequestException")]
public sealed class EppoRequestException : Exception
{
    public EppoRequestException(string message) : base(message) { }
}
