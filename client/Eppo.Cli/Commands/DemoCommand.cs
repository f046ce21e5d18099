using System.ComponentModel;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class DemoSettings : CommandSettings
{
    [CommandOption("--quick"), Description("A smaller model and fewer iterations: under 5 minutes on 2 cores")]
    public bool Quick { get; init; }

    [CommandOption("--seeds <N>"), Description("Seeds per method"), DefaultValue(1)]
    public int Seeds { get; init; } = 1;

    [CommandOption("--out <DIR>"), Description("Where report.md, report.json and the plots go"), DefaultValue("runs/demo")]
    public string Out { get; init; } = "runs/demo";
}

public sealed class DemoCommand : AsyncCommand<DemoSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, DemoSettings settings, CancellationToken cancellation) =>
        throw new Core.EppoException("demo: pending (pipeline under construction)");
}
