using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace Eppo.Grains.Runs;

/// <summary>
/// Who watches a run (<see cref="IRunObserver"/>), kept by Orleans' ObserverManager: a watch lapses unless renewed
/// within <see cref="IRunGrain.WatchLifetime"/>, so a watcher that went away is dropped without a word from it. What
/// is pushed is the status without its history tail.
/// </summary>
public sealed class RunWatchers(ILogger logger)
{
    readonly ObserverManager<IRunObserver> observers = new(IRunGrain.WatchLifetime, logger);

    /// <summary>Adds or renews a watch; returns the status now, as it is pushed.</summary>
    public RunStatus Watch(IRunObserver observer, Func<RunStatus> status)
    {
        observers.Subscribe(observer, observer);
        return Pushed(status());
    }

    public Task Unwatch(IRunObserver observer)
    {
        observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    /// <summary>Pushes the status to every live watch, one-way (nothing here waits for a watcher); builds it only when someone watches.</summary>
    public void Publish(Func<RunStatus> status)
    {
        if (observers.Count == 0) return;
        var pushed = Pushed(status());
        observers.Notify(observer => observer.ChangedAsync(pushed).Ignore());
    }

    static RunStatus Pushed(RunStatus status) => status with { History = [] };
}
