namespace Eppo.Core;

/// <summary>Process-wide libtorch setup: thread count and the device models run on.</summary>
public static class Torch
{
    public static void UseThreads(int threads)
    {
        if (threads > 0) torch.set_num_threads(threads);
    }
}
