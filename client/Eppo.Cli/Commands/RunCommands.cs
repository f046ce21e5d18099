using System.ComponentModel;
using Eppo.Core;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class RunStartSettings : ClusterSettings
{
    [CommandOption("-c|--config <FILE>"), Description("Run spec (JSON), e.g. deploy/examples/quick.json")]
    public string? Config { get; init; }

    [CommandOption("--name <NAME>"), Description("Overrides the spec's name (the run id starts with it)")]
    public string? Name { get; init; }

    [CommandOption("--watch"), Description("Follow the run live after starting it")]
    public bool Watch { get; init; }

    // A trailing `--config` with no value reaches us as Spectre's internal "__default_command" token.
    public override ValidationResult Validate() =>
        string.IsNullOrEmpty(Config) || Config == "__default_command"
            ? ValidationResult.Error("--config: required (a run spec JSON file)")
            : base.Validate();
}

public sealed class RunStartCommand : AsyncCommand<RunStartSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunStartSettings settings, CancellationToken cancellation)
    {
        var spec = SpecFile.Load(settings.Config!);
        if (settings.Name is { } name) spec = (spec with { Name = name }).Validate($"--name {name}");
        // Rows a text run leaves out (text.too_long "skip") are said, never dropped silently.
        if (Core.Tasks.TrainingTasks.For(spec, settings.Config!).LeftOut(spec) is { } leftOut)
            Console.Error.WriteLine($"{settings.Config}: leaving out {leftOut}");
        await using var cluster = await ClusterConnection.ConnectAsync(settings, cancellation);
        var runId = RunIds.New(spec.Name);
        var status = await cluster.Client.GetGrain<IRunGrain>(runId).StartAsync(spec.ToJson());
        Console.WriteLine(status.RunId);
        if (settings.Watch) return await RunWatch.FollowAsync(cluster.Client, runId, cancellation);
        return ExitCodes.Ok;
    }
}

public class RunIdSettings : ClusterSettings
{
    [CommandArgument(0, "<RUN_ID>"), Description("A run id printed by `eppo run start`")]
    public string RunId { get; init; } = "";

    [CommandOption("--json"), Description("Print JSON instead of a table")]
    public bool Json { get; init; }
}

/// <summary>pause, resume, stop and status share one shape: connect, find the run, call, show.</summary>
public abstract class RunLifecycleCommand : AsyncCommand<RunIdSettings>
{
    protected abstract Task<RunStatus> ActAsync(IRunGrain run, RunStatus current);

    /// <summary>When the run is already where the command would take it: the state's name for the no-op message (on stderr, so --json stays clean).</summary>
    protected virtual string? NothingToDo(RunStatus current) => null;

    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellation)
    {
        var runId = RunIds.Validate(settings.RunId);
        await using var cluster = await ClusterConnection.ConnectAsync(settings, cancellation);
        var run = cluster.Client.GetGrain<IRunGrain>(runId);
        var current = await run.GetStatusAsync() ?? throw new EppoException($"run '{runId}': no such run (see `eppo run list`)");
        var status = await ActAsync(run, current);
        if (NothingToDo(current) is { } why) Console.Error.WriteLine($"run {runId} is already {why}: nothing to do");
        if (settings.Json) Console.WriteLine(StatusView.ToJson(status));
        else AnsiConsole.Write(StatusView.Table(status));
        return ExitCodes.Ok;
    }
}

public sealed class RunPauseCommand : RunLifecycleCommand
{
    protected override string? NothingToDo(RunStatus current) =>
        current.State is RunState.Paused or RunState.Pausing ? current.State.ToString().ToLowerInvariant() : null;

    protected override Task<RunStatus> ActAsync(IRunGrain run, RunStatus current) =>
        NothingToDo(current) is null ? run.PauseAsync() : Task.FromResult(current);
}

public sealed class RunResumeCommand : RunLifecycleCommand
{
    protected override string? NothingToDo(RunStatus current) => current.State is RunState.Running ? "running" : null;

    protected override Task<RunStatus> ActAsync(IRunGrain run, RunStatus current) =>
        NothingToDo(current) is null ? run.ResumeAsync() : Task.FromResult(current);
}

public sealed class RunStopCommand : RunLifecycleCommand
{
    protected override string? NothingToDo(RunStatus current) =>
        current.State is RunState.Stopping or RunState.Stopped or RunState.Completed ? current.State.ToString().ToLowerInvariant() : null;

    protected override Task<RunStatus> ActAsync(IRunGrain run, RunStatus current) =>
        NothingToDo(current) is null ? run.StopAsync() : Task.FromResult(current);
}

public sealed class RunStatusCommand : RunLifecycleCommand
{
    protected override Task<RunStatus> ActAsync(IRunGrain run, RunStatus current) => Task.FromResult(current);
}

public sealed class RunListSettings : ClusterSettings
{
    [CommandOption("--json"), Description("Print JSON instead of a table")]
    public bool Json { get; init; }
}

public sealed class RunListCommand : AsyncCommand<RunListSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunListSettings settings, CancellationToken cancellation)
    {
        await using var cluster = await ClusterConnection.ConnectAsync(settings, cancellation);
        var ids = await cluster.Client.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key).ListAsync();
        var statuses = new List<RunStatus>();
        foreach (var id in ids)
            if (await cluster.Client.GetGrain<IRunGrain>(id).GetStatusAsync() is { } s) statuses.Add(s);
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(statuses.Select(s => new
            {
                s.RunId, s.Name, s.Method, State = s.State.ToString(), s.Iteration, s.TotalIterations, s.Reason,
            })));
            return ExitCodes.Ok;
        }
        if (statuses.Count == 0)
        {
            AnsiConsole.MarkupLine("no runs yet: start one with [bold]./eppo run start --config deploy/examples/quick.json[/]");
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("run", "method", "state", "iteration", "proxy", "gold", "ΔE_RL");
        foreach (var s in statuses)
            table.AddRow(Markup.Escape(s.RunId), Markup.Escape(s.Method), StatusView.StateMarkup(s.State), $"{s.Iteration}/{s.TotalIterations}",
                s.Latest is { } m ? $"{m.ProxyReward:F3}" : "", s.Latest?.GoldReward is { } g ? $"{g:F3}" : "",
                s.Latest is { } e ? $"{e.EnergyRl:F4}" : "");
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}

public sealed class RunWatchSettings : ClusterSettings
{
    [CommandArgument(0, "<RUN_ID>"), Description("A run id printed by `eppo run start`")]
    public string RunId { get; init; } = "";
}

public sealed class RunWatchCommand : AsyncCommand<RunWatchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunWatchSettings settings, CancellationToken cancellation)
    {
        var runId = RunIds.Validate(settings.RunId);
        await using var cluster = await ClusterConnection.ConnectAsync(settings, cancellation);
        return await RunWatch.FollowAsync(cluster.Client, runId, cancellation);
    }
}
