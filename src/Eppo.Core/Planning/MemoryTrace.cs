namespace Eppo.Core.Planning;

/// <summary>
/// The bytes alive during one eager pass, followed step by step as our modules allocate them, with the peak. Two
/// rules decide when a tensor goes: a TorchSharp dispose scope keeps every tensor created in it until it ends, except
/// what it moves out to its caller; and under autograd a tensor a backward formula saves lives on until the backward
/// pass, whichever scope made it (with grad off nothing is saved).
/// </summary>
internal sealed class MemoryTrace(bool grad)
{
    /// <summary>One tensor's storage.</summary>
    public sealed class Buffer(long bytes, bool saved)
    {
        public long Bytes { get; } = bytes;
        public bool Saved { get; } = saved;
    }

    readonly Stack<List<Buffer>> scopes = new([[]]);

    public bool Grad => grad;
    public long Live { get; private set; }
    public long Peak { get; private set; }

    /// <summary>Bytes that backward formulas hold so far.</summary>
    public long Saved { get; private set; }

    /// <summary>A new tensor; <paramref name="saved"/>: a backward formula keeps it (only counted as such with grad on).</summary>
    public Buffer Alloc(double bytes, bool saved = false)
    {
        var buffer = new Buffer((long)Math.Ceiling(bytes), grad && saved);
        Live += buffer.Bytes;
        Peak = Math.Max(Peak, Live);
        if (buffer.Saved) Saved += buffer.Bytes;
        else scopes.Peek().Add(buffer);
        return buffer;
    }

    /// <summary>Storage an op makes and drops within itself (a kernel's scratch): it only raises the peak.</summary>
    public void Transient(double bytes) => Peak = Math.Max(Peak, Live + (long)Math.Ceiling(bytes));

    /// <summary>A dispose scope: what <paramref name="body"/> creates is freed when it returns, but what it returns (moved out) and what is saved.</summary>
    public Buffer[] Scope(Func<Buffer[]> body)
    {
        scopes.Push([]);
        var kept = body();
        var owned = scopes.Pop();
        foreach (var buffer in owned)
            if (!kept.Contains(buffer)) Live -= buffer.Bytes;
        scopes.Peek().AddRange(kept.Where(owned.Contains));
        return kept;
    }

    public Buffer Scope(Func<Buffer> body) => Scope(() => [body()])[0];
}
