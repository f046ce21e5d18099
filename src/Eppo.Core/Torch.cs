namespace Eppo.Core;

/// <summary>
/// Process-wide libtorch setup: the size of each compute thread's OpenMP team. libtorch applies a thread count to the
/// OpenMP team of the thread that sets it, so every thread that runs tensor work (the compute threads, and the threads
/// of long jobs and learner replicas) sets it when it starts; a thread left at libtorch's default would run a team of
/// one thread per core beside the others, and across silo processes on one machine their spinning threads take each
/// other's cores.
/// </summary>
public static class Torch
{
    static volatile int threads;

    /// <summary>The libtorch threads per compute thread asked for (0: libtorch's default).</summary>
    public static int Threads => threads;

    public static void UseThreads(int count)
    {
        if (count <= 0) return;
        threads = count;
        ComputeThreads.Run(() => { });  // a compute thread applies it before its next work item; make sure one runs
    }

    /// <summary>Called by each thread that runs tensor work, before its first; returns the count applied (0: none asked for).</summary>
    internal static int ApplyToThisThread()
    {
        var count = threads;
        if (count > 0) torch.set_num_threads(count);
        return count;
    }
}
