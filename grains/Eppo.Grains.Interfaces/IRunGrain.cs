using Eppo.Contracts;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// One training run (key: run id). Drives iterations from a timer so that status and pause are answered promptly
/// while training runs. Pause and stop finish the iteration in flight and checkpoint first.
/// </summary>
[Alias("eppo.IRunGrain")]
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates the spec (JSON text) with its files, stores the files it names under content hashes, persists the
    /// spec with their locations and starts. Refuses a bad spec with a message naming the field. Reading a large
    /// dataset and copying a checkpoint take minutes: hence the long time-out.
    /// </summary>
    [Alias("Start"), ResponseTimeout("00:30:00")] Task<RunStatus> StartAsync(string specJson);
    [Alias("Pause")] Task<RunStatus> PauseAsync();
    [Alias("Resume")] Task<RunStatus> ResumeAsync();
    [Alias("Stop")] Task<RunStatus> StopAsync();
    [Alias("Status")] Task<RunStatus?> GetStatusAsync();
    /// <summary>
    /// Up to <paramref name="count"/> iterations' metrics from iteration <paramref name="from"/> on, committed ones from
    /// the run's history file and those since the last checkpoint from memory; fewer at the end.
    /// </summary>
    [Alias("History")] Task<IReadOnlyList<IterationMetrics>> GetHistoryAsync(int from, int count);
    /// <summary>
    /// Pushes the run's status to <paramref name="observer"/> at every change for <see cref="WatchLifetime"/>; calling
    /// again renews the watch. Returns the status now (without the history tail), or null when there is no such run.
    /// A re-activated run grain has no watchers: <see cref="RunWaiter"/> renews well within the lifetime.
    /// </summary>
    [Alias("Watch")] Task<RunStatus?> WatchAsync(IRunObserver observer);
    [Alias("Unwatch")] Task UnwatchAsync(IRunObserver observer);

    /// <summary>How long a watch lasts unless renewed: a watcher that went away without a word is dropped after it.</summary>
    static readonly TimeSpan WatchLifetime = TimeSpan.FromMinutes(1);
}
