using System.ComponentModel;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class BenchSettings : CommandSettings
{
    [CommandOption("--json"), Description("Print one JSON object instead of a table")]
    public bool Json { get; init; }
}

public sealed class BenchCoreCommand : AsyncCommand<BenchSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, BenchSettings settings, CancellationToken cancellation) =>
        throw new Core.EppoException("bench core: pending");
}
