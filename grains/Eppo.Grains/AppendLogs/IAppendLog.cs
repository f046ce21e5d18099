namespace Eppo.Grains.AppendLogs;

/// <summary>
/// A byte log that grows at its end and is read by ranges: a file under the data root (local profile) or an append
/// blob in the artifact container (azure). Run histories and the energy-reference cache are kept in them, outside
/// grain state. One writer per log (the grain that owns it).
/// </summary>
public interface IAppendLog
{
    /// <summary>Bytes in the log; 0 when it does not exist yet.</summary>
    Task<long> LengthAsync();

    /// <summary>Up to <paramref name="count"/> bytes from <paramref name="offset"/> (fewer at the end of the log).</summary>
    Task<byte[]> ReadAsync(long offset, int count);

    /// <summary>
    /// Appends <paramref name="bytes"/> once (a retried append does not repeat it); returns the offset it starts at.
    /// <paramref name="cancellation"/> ends the waiting for storage that is away.
    /// </summary>
    Task<long> AppendAsync(byte[] bytes, CancellationToken cancellation = default);

    /// <summary>Drops everything from <paramref name="length"/> on (after a crash; an append blob is rewritten).</summary>
    Task CutAsync(long length);
}
