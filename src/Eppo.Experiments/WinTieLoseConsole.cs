using Spectre.Console;
using static Eppo.Experiments.ReportFindings;

namespace Eppo.Experiments;

/// <summary>The win/tie/lose table the demo prints at the end (the paper's Table 1 layout), with each final policy's gold.</summary>
public static class WinTieLoseConsole
{
    public static Table Table(ReportDocument d)
    {
        var reference = d.Config.Reference;
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(reference.ToUpperInvariant())} vs each policy — gold judge, {d.Config.Seeds.Count} seed(s)")
            .AddColumn($"{Markup.Escape(reference)} vs")
            .AddColumn(new TableColumn("win").RightAligned())
            .AddColumn(new TableColumn("tie").RightAligned())
            .AddColumn(new TableColumn("lose").RightAligned())
            .AddColumn(new TableColumn("win rate").RightAligned())
            .AddColumn(new TableColumn("opponent gold").RightAligned());
        foreach (var row in d.WinTieLose.Where(r => r.Policy == reference))
        {
            var color = row.WinRate > 0.5 + DrawBand ? "green" : row.WinRate < 0.5 - DrawBand ? "red" : "yellow";
            var gold = d.Methods.TryGetValue(row.Opponent, out var m) ? Num(m.GoldReward, 3) : "";
            table.AddRow(Markup.Escape(row.Opponent), Pct(row.Win), Pct(row.Tie), Pct(row.Lose), $"[{color}]{Num(row.WinRate)}[/]", gold);
        }
        if (d.Methods.TryGetValue(reference, out var own))
            table.Caption($"{Markup.Escape(reference)} gold {Num(own.GoldReward, 3)}; win rate = win + ½ tie; tie = |Δgold| ≤ {Num(d.Config.WinMargin)}");
        return table;
    }

    public static void Print(IAnsiConsole console, ReportDocument d) => console.Write(Table(d));
}
