using System.Runtime.InteropServices;

namespace Eppo.Cli.Bench;

/// <summary>
/// This process' resident memory. Before a reading, managed garbage is collected (finalizers free native tensors)
/// and glibc is asked to return freed heap pages (malloc_trim), so that the number shows what is still held, not what
/// the allocator keeps for reuse.
/// </summary>
public static class ProcessMemory
{
    public static double ResidentMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        return double.NaN;
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
