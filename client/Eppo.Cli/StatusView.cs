using System.Text.Json;
using System.Text.Json.Serialization;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Spectre.Console;

namespace Eppo.Cli;

/// <summary>How run status is shown: a table for people, JSON for programs.</summary>
public static class StatusView
{
    /// <summary>The spec's snake_case, and states by name ("Running", not 1) so scripts can read them.</summary>
    public static readonly JsonSerializerOptions Json = new(RunSpec.Json)
    {
        UnmappedMemberHandling = default,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string ToJson(object value) => JsonSerializer.Serialize(value, Json);

    public static Table Table(RunStatus s)
    {
        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("").AddColumn("");
        table.AddRow("run", Markup.Escape(s.RunId));
        table.AddRow("method", Markup.Escape(s.Method));
        table.AddRow("state", StateMarkup(s.State) + (s.Reason is { } r ? $" [grey]({Markup.Escape(r)})[/]" : ""));
        table.AddRow("stage", Markup.Escape(s.Stage));
        table.AddRow("iteration", $"{s.Iteration} / {s.TotalIterations}");
        if (s.Latest is { } m)
        {
            table.AddRow("proxy reward", $"{m.ProxyReward:F3}");
            table.AddRow("shaped reward", $"{m.ShapedReward:F3}");
            if (m.GoldReward is { } gold) table.AddRow("gold reward", $"{gold:F3}");
            table.AddRow("energy loss ΔE_RL / ΔE_SFT", $"{m.EnergyRl:F4} / {m.EnergySft:F4}");
            table.AddRow("KL", $"{m.Kl:F4}");
            table.AddRow("response length", $"{m.ResponseLength:F1}");
        }
        table.AddRow("hacking alarm", s.HackingAlarm ? "[red]ON[/]" : "[green]off[/]");
        if (s.GeneratorHosts.Count > 0) table.AddRow("generators on", Markup.Escape(string.Join(", ", s.GeneratorHosts)));
        if (s.LearnerHosts.Count > 0)
            table.AddRow("learner replicas on", Markup.Escape(string.Join(", ", s.LearnerHosts.Select((host, r) => $"{r}: {host}"))));
        if (s.LearnerShortfall is { } shortfall) table.AddRow("learners", $"[yellow]{Markup.Escape(shortfall)}[/]");
        foreach (var rm in s.RewardModels)
            table.AddRow($"reward model: {Markup.Escape(rm.Role)}", (rm.HeldOutAccuracy is { } a ? $"held-out accuracy {a:F3}" : "trained")
                + (rm.TrainedOn is { } on ? $" [grey](on {Markup.Escape(on)})[/]" : ""));
        if (s.LastCheckpoint is { } c) table.AddRow("checkpoint", Markup.Escape(c));
        return table;
    }

    public static string StateMarkup(RunState state) => state switch
    {
        RunState.Running => "[green]Running[/]",
        RunState.Completed => "[blue]Completed[/]",
        RunState.Failed => "[red]Failed[/]",
        RunState.Paused or RunState.Pausing => $"[yellow]{state}[/]",
        _ => state.ToString(),
    };
}
