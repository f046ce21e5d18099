namespace Eppo.Core;

/// <summary>Process-wide libtorch setup: the thread count of the compute thread's OpenMP team.</summary>
public static class Torch
{
    public static void UseThreads(int threads)
    {
        if (threads > 0) ComputeThreads.Run(() => torch.set_num_threads(threads));
    }
}
