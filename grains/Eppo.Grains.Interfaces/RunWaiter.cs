using System.Net.Sockets;
using System.Threading.Channels;
using Eppo.Contracts;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// The one way to wait on a run, for the console, the studies, the benchmarks and the tests. It watches the run grain,
/// which pushes the run's status at every change (<see cref="IRunObserver"/>: small, no history tail), and renews the
/// watch every <see cref="Renewal"/>. A renewal answers with the status of that moment, so it is also the fallback
/// that catches a lost push; and it re-attaches the watch when the run grain was re-activated (on another silo, after
/// a restart), which starts with no watchers — activating it, if nothing else had. Calls that fail while the cluster
/// settles (a silo being declared dead) are tried again every second for up to <see cref="Tolerance"/>.
/// </summary>
public sealed class RunWaiter(IGrainFactory grains)
{
    static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>How often the watch is renewed (and the status read, whatever was pushed); under <see cref="IRunGrain.WatchLifetime"/>.</summary>
    public TimeSpan Renewal { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long calls may keep failing with Orleans, time-out or network errors before the last one is thrown.</summary>
    public TimeSpan Tolerance { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Until the run is Completed, Stopped or Failed; see <see cref="UntilAsync"/>.</summary>
    public Task<RunStatus> UntilEndedAsync(string runId, Action<RunStatus>? progress = null, TimeSpan? timeout = null,
        CancellationToken cancellation = default) =>
        UntilAsync(runId, s => s.State.IsTerminal(), progress, timeout, cancellation);

    /// <summary>
    /// Until <paramref name="condition"/> holds. The condition and <paramref name="progress"/> see each status as it is
    /// pushed or read, without the history tail. What is returned is the run's full status (as
    /// <see cref="IRunGrain.GetStatusAsync"/> gives it, history tail included), read once the condition held on a pushed
    /// one, and the condition holds on it too. Throws <see cref="TimeoutException"/> after <paramref name="timeout"/>
    /// (naming the last status seen), <see cref="EppoException"/> when there is no such run.
    /// </summary>
    public async Task<RunStatus> UntilAsync(string runId, Func<RunStatus, bool> condition, Action<RunStatus>? progress = null,
        TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        if (Renewal <= TimeSpan.Zero || Renewal >= IRunGrain.WatchLifetime)
            throw new ArgumentOutOfRangeException(nameof(Renewal), Renewal, $"a renewal must come within the watch's lifetime ({IRunGrain.WatchLifetime})");
        var run = grains.GetGrain<IRunGrain>(runId);
        var inbox = new Inbox();
        var observer = grains.CreateObjectReference<IRunObserver>(inbox);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (timeout is { } t) limit.CancelAfter(t);
        var calls = new Calls(runId, Tolerance);
        RunStatus? last = null;
        try
        {
            var renewAt = DateTime.UtcNow;
            while (true)
            {
                // Pushes first, in the order they came; the renewal when it is due; else the next push until then.
                var status = inbox.TryTake();
                if (status is null && DateTime.UtcNow >= renewAt)
                {
                    status = await calls.TryAsync(() => run.WatchAsync(observer), limit.Token);
                    renewAt = DateTime.UtcNow + (status is null ? RetryDelay : Renewal);
                }
                status ??= await inbox.TakeAsync(renewAt - DateTime.UtcNow, limit.Token);
                if (status is null) continue;
                last = status;
                progress?.Invoke(status);
                if (!condition(status)) continue;
                if (await calls.TryAsync(run.GetStatusAsync, limit.Token) is { } full)
                {
                    last = full;
                    if (condition(full)) return full;
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"run {runId}: condition not met within {timeout!.Value.TotalSeconds:0.#} s; last status: {Describe(last)}{calls.LastError}");
        }
        finally
        {
            run.UnwatchAsync(observer).Ignore(); // best effort: an unrenewed watch lapses anyway
            grains.DeleteObjectReference<IRunObserver>(observer);
        }
    }

    /// <summary>
    /// Waits on several runs at once until each has ended. <paramref name="progress"/> and <paramref name="ended"/> are
    /// called one at a time; <paramref name="ended"/> sees each final status as it comes and may throw, which stops the
    /// waits on the rest. Returns the final statuses by run id.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, RunStatus>> UntilAllEndedAsync(IEnumerable<string> runIds, Action<RunStatus>? progress = null,
        Action<RunStatus>? ended = null, CancellationToken cancellation = default)
    {
        using var rest = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var gate = new object();
        Action<RunStatus>? shown = progress is null ? null : s => { lock (gate) progress(s); };
        var waits = runIds.Select(id => UntilEndedAsync(id, shown, cancellation: rest.Token)).ToList();
        var done = new Dictionary<string, RunStatus>();
        try
        {
            while (waits.Count > 0)
            {
                var next = await Task.WhenAny(waits);
                waits.Remove(next);
                var status = await next;
                lock (gate) ended?.Invoke(status);
                done[status.RunId] = status;
            }
            return done;
        }
        finally
        {
            await rest.CancelAsync();
        }
    }

    static string Describe(RunStatus? s) => s is null
        ? "none (the run grain never answered)"
        : $"{s.State} at iteration {s.Iteration}/{s.TotalIterations}, stage '{s.Stage}'{(s.Reason is { } r ? $" ({r})" : "")}";

    /// <summary>The watcher on this side: pushed statuses, in order, for the waiting loop to take.</summary>
    sealed class Inbox : IRunObserver
    {
        // Bounded, so a reader that stalls cannot make it grow without limit: the oldest go (a renewal reads the status anyway).
        readonly Channel<RunStatus> statuses = Channel.CreateBounded<RunStatus>(
            new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        Task IRunObserver.ChangedAsync(RunStatus status)
        {
            statuses.Writer.TryWrite(status);
            return Task.CompletedTask;
        }

        public RunStatus? TryTake() => statuses.Reader.TryRead(out var status) ? status : null;

        /// <summary>The next push within <paramref name="wait"/>; null when none came.</summary>
        public async Task<RunStatus?> TakeAsync(TimeSpan wait, CancellationToken cancellation)
        {
            if (wait <= TimeSpan.Zero) return null;
            using var until = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            until.CancelAfter(wait);
            try { return await statuses.Reader.ReadAsync(until.Token); }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested) { return null; }
        }
    }

    /// <summary>The waiter's calls to the run grain: failures while the cluster settles are ridden out for the tolerance; a user error is thrown at once.</summary>
    sealed class Calls(string runId, TimeSpan tolerance)
    {
        DateTime? failingSince;
        Exception? lastError;

        public string LastError => lastError is null ? "" : $"; last error {lastError.GetType().Name}: {lastError.Message}";

        /// <summary>The call's status; null when it failed in a way worth trying again.</summary>
        public async Task<RunStatus?> TryAsync(Func<Task<RunStatus?>> call, CancellationToken cancellation)
        {
            try
            {
                var status = await call().WaitAsync(cancellation) ?? throw new EppoException($"run '{runId}': no such run (see `eppo run list`)");
                failingSince = null;
                return status;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or IOException or SocketException && !cancellation.IsCancellationRequested)
            {
                lastError = e;
                failingSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - failingSince > tolerance) throw;
                return null;
            }
        }
    }
}
