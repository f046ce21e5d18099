namespace Eppo.Contracts;

/// <summary>Lifecycle of a run. Pausing and stopping finish the iteration in flight and checkpoint first.</summary>
public enum RunState
{
    Created,
    Running,
    Pausing,
    Paused,
    Stopping,
    Completed,
    Failed,
    Stopped,
}

public static class RunStates
{
    public static bool IsTerminal(this RunState state) => state is RunState.Completed or RunState.Failed or RunState.Stopped;

    /// <summary>Ended, or paused: nothing happens until someone resumes it.</summary>
    public static bool IsSettled(this RunState state) => state.IsTerminal() || state == RunState.Paused;
}
