using Eppo.Grains.Hosting;
using Microsoft.Extensions.Logging;

namespace Eppo.Grains.Runs;

/// <summary>
/// The Orleans reminder that keeps an active run (running, pausing, stopping) going. The reminder service outlives
/// any silo: after the run grain's silo died, or the whole cluster restarted, its next tick re-activates the grain on
/// a live silo, which resumes from the last commit. A run that is paused or has ended has no reminder, so nothing
/// wakes it. A run nobody calls waits up to one period (<see cref="EppoSiloOptions.RunReminderPeriod"/>: a minute,
/// Orleans' shortest in production) after its silo is declared dead, or the new silos are up, before it moves again.
/// </summary>
public sealed class RunReminder(Grain run, TimeSpan period, EppoResilience resilience, ILogger logger)
{
    public const string Name = "keep-active";

    public Task KeepAsync(bool active) => active ? RegisterAsync() : UnregisterAsync();

    /// <summary>A run that should be going must have its reminder: a storage failure here is the caller's failure.</summary>
    Task RegisterAsync() => resilience.RunStorageAsync(_ => run.RegisterOrUpdateReminder(Name, period, period));

    /// <summary>Best effort: a reminder left behind unregisters itself on its next tick, when it finds the run inactive.</summary>
    async Task UnregisterAsync()
    {
        try
        {
            if (await resilience.RunStorageAsync(_ => run.GetReminder(Name)) is { } reminder)
                await resilience.RunStorageAsync(_ => run.UnregisterReminder(reminder));
        }
        catch (Exception e)
        {
            logger.LogWarning("run {Run}: could not unregister its reminder ({Error}); its next tick does", run.GetPrimaryKeyString(), e.GetBaseException().Message);
        }
    }
}
