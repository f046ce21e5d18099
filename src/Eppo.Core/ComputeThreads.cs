using System.Collections.Concurrent;

namespace Eppo.Core;

/// <summary>
/// The few threads that run a process's libtorch work (one by default). libgomp keeps a separate OpenMP team for every
/// thread that calls into torch; once the teams hold more threads than there are cores it stops spin-waiting at
/// barriers, and every parallel region then pays a futex wake-up. Measured here: PPO steps ran 1.7–2× slower in the
/// whole process once a second thread had touched torch. So: few threads, and threads × libtorch threads ≤ cores (the
/// demo runs two threads of one libtorch thread each: its five concurrent runs are small). Work runs in arrival order;
/// callers await it without holding a thread.
/// </summary>
public static class ComputeThreads
{
    static readonly BlockingCollection<Action> work = new();
    static readonly List<Thread> threads = [];
    static volatile int started;  // read on every call without the lock
    [ThreadStatic] static bool onComputeThread;

    /// <summary>True on a compute thread: work queued from there could wait for itself, so it runs inline.</summary>
    public static bool IsCurrent => onComputeThread;

    public static int Count => started;

    /// <summary>Makes at least <paramref name="count"/> compute threads run (they are never taken away).</summary>
    public static void EnsureAtLeast(int count)
    {
        if (count < 1) throw new EppoException($"compute threads must be at least 1, got {count}");
        lock (threads)
        {
            while (threads.Count < count)
            {
                var thread = new Thread(() =>
                {
                    onComputeThread = true;
                    var applied = 0;
                    foreach (var item in work.GetConsumingEnumerable())
                    {
                        // Torch.UseThreads may come after this thread started: each thread applies the count itself.
                        if (applied != Torch.Threads) applied = Torch.ApplyToThisThread();
                        item();
                    }
                }) { IsBackground = true, Name = "eppo-compute" };
                thread.Start();
                threads.Add(thread);
                started = threads.Count;
            }
        }
    }

    public static Task<T> RunAsync<T>(Func<T> compute)
    {
        if (IsCurrent) return Task.FromResult(compute());
        if (Count == 0) EnsureAtLeast(1);
        // Continuations must not run on a compute thread: they belong to the caller (a grain's scheduler, a client).
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Add(() =>
        {
            try { done.SetResult(compute()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }

    public static Task RunAsync(Action compute) => RunAsync(() => { compute(); return true; });

    /// <summary>Blocks the caller until the work is done (for synchronous callers such as the in-process driver).</summary>
    public static T Run<T>(Func<T> compute) => IsCurrent ? compute() : RunAsync(compute).GetAwaiter().GetResult();

    public static void Run(Action compute) => Run(() => { compute(); return true; });

    /// <summary>
    /// Long jobs (training SFT and reward models, minutes) get a thread of their own so they do not hold up the iterations
    /// of runs already training; its OpenMP team goes away with the thread.
    /// </summary>
    public static Task<T> RunLongAsync<T>(Func<T> compute)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = new Thread(() =>
        {
            try { done.SetResult(compute()); }
            catch (Exception e) { done.SetException(e); }
        }) { IsBackground = true, Name = "eppo-long-compute" };
        job.Start();
        return done.Task;
    }
}
