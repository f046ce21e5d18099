using System.Collections.Concurrent;

namespace Eppo.Core;

/// <summary>
/// A compute thread of one owner's own (a data-parallel learner replica: its work blocks while the other replicas catch
/// up, so it must not hold a shared compute thread that another replica in this process needs). The thread lives as
/// long as its owner: a fresh thread per unit of work measured 1.6× slower PPO steps here (libtorch's and the BLAS's
/// per-thread buffers are built again on every new thread). It takes the process's libtorch thread count.
/// </summary>
public sealed class ComputeLane : IDisposable
{
    readonly BlockingCollection<Action> work = new();

    public ComputeLane(string name)
    {
        new Thread(() =>
        {
            Torch.ApplyToThisThread();
            foreach (var item in work.GetConsumingEnumerable()) item();
        }) { IsBackground = true, Name = name }.Start();
    }

    public Task<T> RunAsync<T>(Func<T> compute)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        work.Add(() =>
        {
            try { done.SetResult(compute()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }

    /// <summary>Ends the thread once the work queued so far is done.</summary>
    public void Dispose() => work.CompleteAdding();
}
