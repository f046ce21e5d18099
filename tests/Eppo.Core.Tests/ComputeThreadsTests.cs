using static TorchSharp.torch;

namespace Eppo.Core.Tests;

public sealed class ComputeThreadsTests
{
    [Fact]
    public async Task WorkFromManyCallersRunsOneAtATimeOnOneThread()
    {
        var threads = new System.Collections.Concurrent.ConcurrentBag<int>();
        var running = 0;
        var mostAtOnce = 0;
        var calls = Enumerable.Range(0, 16).Select(_ => Task.Run(() => ComputeThreads.RunAsync(() =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            Thread.Sleep(2);
            Interlocked.Decrement(ref running);
            return now;
        })));
        await Task.WhenAll(calls);
        Assert.Single(threads.Distinct());
        Assert.Equal(1, mostAtOnce);
        Assert.NotEqual(Environment.CurrentManagedThreadId, threads.First());
    }

    [Fact]
    public async Task WorkQueuedFromTheComputeThreadRunsInlineInsteadOfWaitingForItself()
    {
        var inner = await ComputeThreads.RunAsync(() => ComputeThreads.Run(() => ComputeThreads.IsCurrent));
        Assert.True(inner);
    }

    [Fact]
    public async Task ExceptionsReachTheCallerUnchanged()
    {
        var thrown = await Assert.ThrowsAsync<EppoException>(() => ComputeThreads.RunAsync<int>(() => throw new EppoException("bad batch")));
        Assert.Equal("bad batch", thrown.Message);
        Assert.Throws<EppoException>(() => ComputeThreads.Run(() => throw new EppoException("bad batch")));
        Assert.Equal(7, await ComputeThreads.RunAsync(() => 7)); // the thread survives a failed item
    }

    [Fact]
    public async Task TheCallerContinuesOffTheComputeThreads()
    {
        await ComputeThreads.RunAsync(() => { });
        Assert.False(ComputeThreads.IsCurrent);
    }

    [Fact]
    public void AtLeastOneComputeThread()
    {
        var refused = Assert.Throws<EppoException>(() => ComputeThreads.EnsureAtLeast(0));
        Assert.Contains("at least 1", refused.Message);
    }

    [Fact]
    public async Task LongJobsRunOnAThreadOfTheirOwn()
    {
        var (onCompute, name) = await ComputeThreads.RunLongAsync(() => (ComputeThreads.IsCurrent, Thread.CurrentThread.Name));
        Assert.False(onCompute);
        Assert.Equal("eppo-long-compute", name);
    }

    [Fact]
    public async Task TensorWorkFromManyCallersUsesOneOpenMpTeam()
    {
        // OpenMP workers inherit their creator's OS thread name; one team means at most num_threads − 1 of them.
        var calls = Enumerable.Range(0, 8).Select(_ => Task.Run(() => ComputeThreads.RunAsync(() =>
        {
            using var scope = NewDisposeScope();
            var a = rand(256, 256);
            return a.matmul(a).sum().item<float>();
        })));
        await Task.WhenAll(calls);
        var team = Directory.GetDirectories("/proc/self/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == "eppo-compute");
        Assert.InRange(team, 1, get_num_threads());
    }

    static void InterlockedMax(ref int target, int value)
    {
        for (var seen = target; value > seen; seen = target)
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }
}
