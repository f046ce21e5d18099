namespace Eppo.Core.HackBench;

/// <summary>FNV-1a over strings and ints: stable across processes and runtimes (unlike string.GetHashCode).</summary>
internal static class StableHash
{
    private const uint Offset = 2166136261;
    private const uint Prime = 16777619;

    public static uint Of(string text) => Add(Offset, text);

    public static uint Add(uint hash, string text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ (byte)c) * Prime;
            hash = (hash ^ (byte)(c >> 8)) * Prime;
        }
        return (hash ^ 0xFF) * Prime; // separator, so ("ab","c") and ("a","bc") differ
    }

    public static uint Add(uint hash, int value)
    {
        for (var i = 0; i < 4; i++) hash = (hash ^ (byte)(value >> (8 * i))) * Prime;
        return hash;
    }

    /// <summary>A seed for System.Random derived from the hash.</summary>
    public static int ToSeed(uint hash) => (int)(hash & 0x7FFFFFFF);
}
