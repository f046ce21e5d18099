using Eppo.Contracts;

namespace Eppo.Cli;

/// <summary>
/// The latest iterations the live view charts (energy loss) and times (ETA). Pushed statuses carry only the latest
/// iteration, so they are kept here: appended as they come, cut back when the run rolls back to a checkpoint. A status
/// that skips iterations (a push was lost) leaves a gap this cannot fill: the watch then reads the run's full status.
/// </summary>
public sealed class RecentIterations(IReadOnlyList<IterationMetrics> start)
{
    /// <summary>As many as the chart shows.</summary>
    public const int Size = 60;

    readonly List<IterationMetrics> items = [.. start.TakeLast(Size)];

    /// <summary>Whether <paramref name="status"/> comes after iterations that were never seen here.</summary>
    public bool Misses(RunStatus status) =>
        status.Latest is { } latest && latest.Iteration > (items.Count == 0 ? 0 : items[^1].Iteration + 1);

    /// <summary><paramref name="status"/> with the kept iterations as its history; its latest is kept too, unless it leaves a gap.</summary>
    public RunStatus With(RunStatus status)
    {
        if (status.Latest is { } latest && !Misses(status))
        {
            // A roll-back to a checkpoint, or the same iteration again (now naming its checkpoint), replaces what follows.
            items.RemoveAll(m => m.Iteration >= latest.Iteration);
            items.Add(latest);
            if (items.Count > Size) items.RemoveAt(0);
        }
        return status with { History = [.. items] };
    }
}
