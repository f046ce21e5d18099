using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Eppo.Grains.Runs;

/// <summary>
/// Runs a loop on every silo that wakes the runs the registry lists as active. A run grain lost with its silo, or
/// with the whole cluster, is thereby re-activated from its persisted state within one period, and resumes from its
/// last committed checkpoint (RunGrain.OnActivateAsync). Waking a run that is already active costs one message.
/// </summary>
public sealed class RunKeeper(IGrainFactory grains, IOptions<EppoSiloOptions> options, ILogger<RunKeeper> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    readonly CancellationTokenSource stopping = new();
    Task? loop;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RunKeeper), ServiceLifecycleStage.Active, _ =>
        {
            loop = Task.Run(() => LoopAsync(stopping.Token));
            return Task.CompletedTask;
        }, async cancellation =>
        {
            await stopping.CancelAsync();
            if (loop is not null) await loop.WaitAsync(cancellation).ContinueWith(_ => { }, TaskScheduler.Default);
        });

    async Task LoopAsync(CancellationToken cancellation)
    {
        using var timer = new PeriodicTimer(options.Value.RunKeeperPeriod);
        try
        {
            do
            {
                try
                {
                    var active = await grains.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key).ListActiveAsync();
                    await Task.WhenAll(active.Select(id => grains.GetGrain<IRunGrain>(id).WakeAsync()));
                }
                catch (Exception e) when (!cancellation.IsCancellationRequested)
                {
                    // Expected while a silo is being declared dead or storage is away; the next period tries again.
                    logger.LogDebug("run keeper: {Error}", e.GetBaseException().Message);
                }
            } while (await timer.WaitForNextTickAsync(cancellation));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
    }
}
