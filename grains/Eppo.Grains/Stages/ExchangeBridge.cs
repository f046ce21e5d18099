using System.Threading.Channels;
using Eppo.Core;
using Eppo.Core.Learning;
using Eppo.Grains.Interfaces;

namespace Eppo.Grains.Stages;

/// <summary>
/// Lets a learner replica's synchronous compute (on its own <see cref="ComputeLane"/>: it blocks while the other
/// replicas catch up, and must not hold a shared compute thread that another replica in this process needs) exchange sums through the
/// exchange grain: each <see cref="IBatchReduction"/> call is queued for the grain's turn, which makes the grain call
/// and hands the answer back. So grain calls are made only from the grain's own context.
/// </summary>
public sealed class ExchangeBridge(ILearnerExchangeGrain exchange, ReplicaSlot slot) : IBatchReduction
{
    sealed record Request(int Round, float[] Local, bool Gather)
    {
        public readonly TaskCompletionSource<float[]> Answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    readonly Channel<Request> requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    int round;

    public float[] Sum(float[] local) => Send(local, gather: false);

    public float[] Gather(float[] local) => Send(local, gather: true);

    float[] Send(float[] local, bool gather)
    {
        var request = new Request(round++, local, gather);
        if (!requests.Writer.TryWrite(request)) throw new InvalidOperationException("exchange bridge used after its compute ended");
        return request.Answer.Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="compute"/> on <paramref name="lane"/> and serves its exchanges from the caller's (the grain's) context.</summary>
    public async Task<T> RunAsync<T>(ComputeLane lane, Func<T> compute)
    {
        var work = lane.RunAsync(() =>
        {
            try { return compute(); }
            finally { requests.Writer.TryComplete(); }
        });
        await foreach (var request in requests.Reader.ReadAllAsync())
        {
            try { request.Answer.SetResult(await exchange.ExchangeAsync(slot.Replica, slot.Replicas, request.Round, request.Local, request.Gather)); }
            catch (Exception e) { request.Answer.SetException(e); }
        }
        return await work;
    }
}
