namespace Eppo.Core;

/// <summary>
/// Process-wide libtorch setup: the size of each compute thread's OpenMP team. libtorch applies a thread count to the
/// OpenMP team of the thread that sets it, so every compute thread and every learner replica's lane sets it when it
/// starts; a thread left at libtorch's default runs a team of one thread per core beside the others. Long jobs
/// (training SFT and reward models, usually alone on the machine) keep libtorch's default: measured twice as fast for
/// the text example's preparation.
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
