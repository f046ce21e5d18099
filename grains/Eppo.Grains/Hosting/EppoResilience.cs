using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Eppo.Grains.Hosting;

/// <summary>
/// Polly pipelines shared by the grains of a silo. <see cref="Storage"/> wraps grain-state writes and artifact
/// uploads/downloads: storage away for a minute or two stalls the caller instead of failing it. <see cref="Calls"/>
/// wraps idempotent cross-grain calls (prompts, rollouts, scores, energy reference): a dead silo's grains are
/// re-activated elsewhere on the next try.
/// </summary>
public sealed class EppoResilience
{
    public ResiliencePipeline Storage { get; }
    public ResiliencePipeline Calls { get; }

    public EppoResilience(IOptions<EppoSiloOptions> options, ILogger<EppoResilience> logger)
    {
        var o = options.Value;
        Storage = Build("storage", o.StorageRetryAttempts, o.RetryBaseDelay, o.RetryMaxDelay, logger);
        Calls = Build("grain call", o.CallRetryAttempts, o.RetryBaseDelay, o.RetryMaxDelay, logger);
    }

    static ResiliencePipeline Build(string what, int attempts, TimeSpan delay, TimeSpan maxDelay, ILogger logger) =>
        attempts <= 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(TransientFailures.IsTransient),
                MaxRetryAttempts = attempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = delay,
                MaxDelay = maxDelay,
                OnRetry = args =>
                {
                    logger.LogWarning("{What} failed ({Error}); try {Attempt} of {Max} in {Delay:F1} s", what,
                        args.Outcome.Exception?.GetBaseException().Message, args.AttemptNumber + 2, attempts + 1, args.RetryDelay.TotalSeconds);
                    return default;
                },
            }).Build();

    public Task RunStorageAsync(Func<CancellationToken, Task> operation, CancellationToken cancellation = default) =>
        RunAsync(Storage, async token => { await operation(token); return true; }, cancellation);

    public Task<T> RunStorageAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellation = default) =>
        RunAsync(Storage, operation, cancellation);

    public Task<T> CallAsync<T>(Func<Task<T>> call) => RunAsync(Calls, _ => call(), CancellationToken.None);

    public Task CallAsync(Func<Task> call) => RunAsync(Calls, async _ => { await call(); return true; }, CancellationToken.None);

    /// <summary>
    /// Runs on the captured context: inside a grain, every try (and the grain state it touches) stays on the
    /// activation's scheduler instead of a thread-pool thread after a backoff delay.
    /// </summary>
    static async Task<T> RunAsync<T>(ResiliencePipeline pipeline, Func<CancellationToken, Task<T>> operation, CancellationToken cancellation)
    {
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, cancellation);
        try
        {
            return await pipeline.ExecuteAsync(static async (ctx, op) => await op(ctx.CancellationToken).ConfigureAwait(true), context, operation)
                .ConfigureAwait(true);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
