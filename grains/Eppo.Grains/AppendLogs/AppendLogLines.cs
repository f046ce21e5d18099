namespace Eppo.Grains.AppendLogs;

/// <summary>Reads a log of '\n'-ended records in chunks, so a long log is never one buffer.</summary>
public static class AppendLogLines
{
    const int Chunk = 1 << 20;

    /// <summary>
    /// The complete lines from <paramref name="from"/> on (without their '\n'), each with the offset just past it.
    /// A last line without its '\n' (a crash mid-append) is not returned.
    /// </summary>
    public static async IAsyncEnumerable<(byte[] Line, long End)> ReadAsync(IAppendLog log, long from = 0)
    {
        var pending = new MemoryStream();
        for (var position = from; ;)
        {
            var chunk = await log.ReadAsync(position, Chunk);
            if (chunk.Length == 0) yield break;
            var start = 0;
            for (int newline; (newline = Array.IndexOf(chunk, (byte)'\n', start)) >= 0; start = newline + 1)
            {
                pending.Write(chunk, start, newline - start);
                yield return (pending.ToArray(), position + newline + 1);
                pending.SetLength(0);
            }
            pending.Write(chunk, start, chunk.Length - start);
            position += chunk.Length;
        }
    }
}
