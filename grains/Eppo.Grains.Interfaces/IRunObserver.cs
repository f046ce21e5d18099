using Eppo.Contracts;
using Orleans.Concurrency;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// A watcher of one run (<see cref="IRunGrain.WatchAsync"/>). The run grain pushes its status at every change — a
/// stage begins, an iteration ends, a checkpoint is committed, the lifecycle moves — without the history tail
/// (<see cref="RunStatus.History"/> is empty; page it with <see cref="IRunGrain.GetHistoryAsync"/>). Best effort:
/// a push can be lost, which is why <see cref="RunWaiter"/> also reads the status when it renews its watch.
/// </summary>
[Alias("eppo.IRunObserver")]
public interface IRunObserver : IGrainObserver
{
    [OneWay, Alias("Changed")] Task ChangedAsync(RunStatus status);
}
