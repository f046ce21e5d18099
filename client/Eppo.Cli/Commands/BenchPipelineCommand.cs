using Eppo.Cli.Bench;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class BenchPipelineCommand : AsyncCommand<BenchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchSettings settings, CancellationToken cancellation)
    {
        settings.ApplyThreads();
        var result = await PipelineBenchmark.RunAsync(message => Console.Error.WriteLine($"bench pipeline: {message}"), cancellation);
        if (settings.Json)
        {
            Console.WriteLine(StatusView.ToJson(result));
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "value", "target");
        table.AddRow("machine", Markup.Escape(result.Machine), "");
        table.AddRow("in-process iteration", $"{result.LocalIterationMs:F1} ms", "");
        table.AddRow("Orleans iteration", $"{result.OrleansIterationMs:F1} ms", "");
        table.AddRow("Orleans overhead ratio", $"{result.OrleansOverheadRatio:F3}", "≤ 1.03");
        table.AddRow("PPO iteration (Orleans)", $"{result.PpoIterationMs:F1} ms", "");
        table.AddRow("EPPO iteration (Orleans, warm cache)", $"{result.EppoIterationMs:F1} ms", "");
        table.AddRow("EPPO / PPO", $"{result.EppoOverPpoRatio:F3}", "≤ 1.05");
        table.AddRow("SFT regeneration per step (official)", $"{result.SftRegenerationMs:F1} ms", "");
        table.AddRow("regeneration / PPO iteration", $"{result.RegenerationOverIterationRatio:F3}", "what the cache saves");
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
