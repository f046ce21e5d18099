using ScottPlot;

namespace Eppo.Experiments;

/// <summary>The report's figures as PNGs (ScottPlot). Each method keeps one colour across all figures.</summary>
public static class ReportPlots
{
    /// <summary>Figure 5, with a band of ± one std over seeds around each method's mean.</summary>
    public const string WinRateFile = "win_rate_vs_sft.png";
    public const string EnergyFile = "energy_loss.png";
    public const string RewardsFile = "rewards.png";
    public const string KlFile = "gold_vs_sqrt_kl.png";
    const int Width = 900, Height = 540;

    /// <summary>Writes the four figures into <paramref name="outDir"/> and returns their file names.</summary>
    public static IReadOnlyList<string> Write(ReportDocument d, string outDir)
    {
        var methods = d.Methods.Keys.Where(m => m != ReportBuilder.Sft).ToArray();
        var colors = new ScottPlot.Palettes.Category10();
        Color ColorOf(string method) => colors.GetColor(Array.IndexOf(methods, method));

        Save(Path.Combine(outDir, WinRateFile), "Win rate against SFT during training (Figure 5)", "iteration", "win rate vs SFT (win + ½ tie)", plot =>
        {
            foreach (var m in methods)
            {
                // A band of ± one std over seeds, where there is more than one seed.
                var points = d.WinRateVsSft[m].Where(p => p.Seeds > 1 && double.IsFinite(p.Std)).ToArray();
                if (points.Length > 1) Band(plot, points.Select(p => (double)p.Iteration).ToArray(), points.Select(p => p.WinRate - p.Std).ToArray(),
                    points.Select(p => p.WinRate + p.Std).ToArray(), ColorOf(m));
                Line(plot, d.WinRateVsSft[m].Select(p => (double)p.Iteration), d.WinRateVsSft[m].Select(p => p.WinRate), m, ColorOf(m));
            }
            Reference(plot, 0.5, "SFT (0.5)");
        });

        Save(Path.Combine(outDir, EnergyFile), $"Final-layer energy loss on rollouts ({d.EnergyLoss.Site})", "iteration", "energy loss ΔE (mean|in| − mean|out|)", plot =>
        {
            foreach (var m in methods)
                Line(plot, d.TrainingCurves[m].Select(p => (double)p.Iteration), d.TrainingCurves[m].Select(p => p.EnergyRl), m, ColorOf(m));
            var sft = d.TrainingCurves.Values.SelectMany(c => c).Select(p => p.EnergySft).Where(double.IsFinite).ToArray();
            if (sft.Length > 0) Reference(plot, sft.Average(), "SFT reference ΔE_SFT");
        });

        Save(Path.Combine(outDir, RewardsFile), "Proxy (solid) and gold (dashed) reward on rollouts", "iteration", "reward", plot =>
        {
            foreach (var m in methods)
            {
                var curve = d.TrainingCurves[m];
                Line(plot, curve.Select(p => (double)p.Iteration), curve.Select(p => p.ProxyReward), $"{m} proxy", ColorOf(m));
                var gold = curve.Where(p => p.GoldReward is not null).ToArray();
                if (gold.Length > 0)
                    Line(plot, gold.Select(p => (double)p.Iteration), gold.Select(p => p.GoldReward!.Value), $"{m} gold", ColorOf(m), dashed: true);
            }
        });

        Save(Path.Combine(outDir, KlFile), "Gold (solid) and proxy (dashed) reward vs √KL from SFT", "√KL(π ‖ π_SFT)", "reward on held-out prompts", plot =>
        {
            foreach (var m in methods)
            {
                var points = d.RewardVsSqrtKl[m];
                Line(plot, points.Select(p => p.SqrtKl), points.Select(p => p.GoldReward), $"{m} gold", ColorOf(m), markers: true);
                Line(plot, points.Select(p => p.SqrtKl), points.Select(p => p.ProxyReward), $"{m} proxy", ColorOf(m), dashed: true, markers: true);
            }
            // Best-of-n of the SFT policy: Gao et al.'s other curve, gold against √KL_bon.
            Line(plot, d.BestOfN.Select(p => p.SqrtKl), d.BestOfN.Select(p => p.Gold), "SFT best-of-n gold", Colors.Gray, markers: true);
        });
        return [WinRateFile, EnergyFile, RewardsFile, KlFile];
    }

    static void Save(string path, string title, string xLabel, string yLabel, Action<Plot> draw)
    {
        using var plot = new Plot();
        draw(plot);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);   // outside the data area: curves stay visible
        plot.SavePng(path, Width, Height);
    }

    static void Line(Plot plot, IEnumerable<double> xs, IEnumerable<double> ys, string label, Color color, bool dashed = false, bool markers = false)
    {
        var points = xs.Zip(ys).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
        if (points.Length == 0) return;
        var line = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second).ToArray(), color);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = markers || points.Length == 1 ? 6 : 0;
        if (dashed) line.LinePattern = LinePattern.Dashed;
    }

    /// <summary>A translucent polygon between <paramref name="lower"/> and <paramref name="upper"/>.</summary>
    static void Band(Plot plot, double[] xs, double[] lower, double[] upper, Color color)
    {
        var outline = xs.Zip(upper, (x, y) => new Coordinates(x, y)).Concat(xs.Zip(lower, (x, y) => new Coordinates(x, y)).Reverse()).ToArray();
        var band = plot.Add.Polygon(outline);
        band.FillColor = color.WithAlpha(0.15);
        band.LineWidth = 0;
    }

    static void Reference(Plot plot, double y, string label)
    {
        var line = plot.Add.HorizontalLine(y);
        line.LegendText = label;
        line.Color = Colors.Gray;
        line.LinePattern = LinePattern.Dotted;
    }
}
