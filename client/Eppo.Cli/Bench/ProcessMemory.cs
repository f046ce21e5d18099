using System.Runtime.InteropServices;

namespace Eppo.Cli.Bench;

/// <summary>
/// This process' resident memory. Before a reading, managed garbage is collected (finalizers free native tensors)
/// and glibc is asked to return freed heap pages (malloc_trim), so that the number shows what is still held, not what
/// the allocator keeps for reuse.
/// </summary>
public static class ProcessMemory
{
    public static double ResidentMb() => Status("VmRSS") is { } kib ? kib / 1024.0 : double.NaN;

    /// <summary>The most this process has had resident since it started (VmHWM): a child's whole-life peak.</summary>
    public static long PeakResidentBytes() => (Status("VmHWM") ?? throw new InvalidOperationException("/proc/self/status has no VmHWM")) * 1024;

    public static long ResidentBytes() => (Status("VmRSS") ?? throw new InvalidOperationException("/proc/self/status has no VmRSS")) * 1024;

    /// <summary>A /proc/self/status field in kB.</summary>
    static long? Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }

    public static double SettledResidentMb()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        MallocTrim(0);
        return ResidentMb();
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);
}
