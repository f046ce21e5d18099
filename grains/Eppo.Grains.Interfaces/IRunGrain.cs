using Eppo.Contracts;

namespace Eppo.Grains.Interfaces;

/// <summary>
/// One training run (key: run id). Drives iterations from a timer so that status and pause are answered promptly
/// while training runs. Pause and stop finish the iteration in flight and checkpoint first.
/// </summary>
[Alias("eppo.IRunGrain")]
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>Validates the spec (JSON text), persists it and starts. Refuses a bad spec with a message naming the field.</summary>
    [Alias("Start")] Task<RunStatus> StartAsync(string specJson);
    [Alias("Pause")] Task<RunStatus> PauseAsync();
    [Alias("Resume")] Task<RunStatus> ResumeAsync();
    [Alias("Stop")] Task<RunStatus> StopAsync();
    [Alias("Status")] Task<RunStatus?> GetStatusAsync();
    /// <summary>
    /// Up to <paramref name="count"/> iterations' metrics from iteration <paramref name="from"/> on, committed ones from
    /// the run's history file and those since the last checkpoint from memory; fewer at the end.
    /// </summary>
    [Alias("History")] Task<IReadOnlyList<IterationMetrics>> GetHistoryAsync(int from, int count);
    /// <summary>Activates the run (which resumes it when it should be running); the silos' run keeper calls this.</summary>
    [Alias("Wake")] Task WakeAsync();
}
