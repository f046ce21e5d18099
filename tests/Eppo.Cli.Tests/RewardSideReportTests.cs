using Eppo.Experiments;

namespace Eppo.Cli.Tests;

/// <summary>The report with reward-side methods: Table 2 in the paper's layout, Table 1 without it, every reward model's figures.</summary>
public sealed class RewardSideReportTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("eppo-report-rs-").FullName;
    readonly ReportDocument document;
    readonly string md;

    public RewardSideReportTests()
    {
        document = DemoReport.Write(SyntheticDemo.WithRewardSide(), dir);
        md = File.ReadAllText(Path.Combine(dir, DemoReport.MarkdownFile));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string Section(string md, string heading)
    {
        var start = md.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section '{heading}'");
        var end = md.IndexOf("\n#", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? md[start..] : md[start..end];
    }

    [Fact]
    public void TableTwoComparesEppoAndEppoOnOdinWithOdin()
    {
        var two = Section(md, "## Table 2");
        // EPPO's answers against PPO-KL's (which ODIN reuses): as Table 1's EPPO vs PPO-KL row, 0.38 pooled.
        var eppoVsPpoKl = document.WinTieLose.Single(r => r.Policy == "eppo" && r.Opponent == "ppo-kl");
        var eppoVsOdin = document.WinTieLose.Single(r => r.Policy == "eppo" && r.Opponent == "odin");
        Assert.Equal(eppoVsPpoKl.WinRate, eppoVsOdin.WinRate);
        Assert.Contains($"| eppo | odin | {eppoVsOdin.Win * 100:F0}% |", two);
        Assert.Contains("| eppo-odin | odin |", two);
        Assert.DoesNotContain("inform", two); // no InfoRM runs, no InfoRM rows
        var one = Section(md, "## Table 1");
        Assert.DoesNotContain("| odin |", one);
        Assert.DoesNotContain("| eppo-odin |", one);
        Assert.Contains("| erm-mean |", one);
    }

    [Fact]
    public void EveryRewardModelIsListedOnceWithItsMethodsAccuracyAndFigures()
    {
        var models = document.RewardModel.Models!;
        Assert.Equal(["member 1/2", "member 2/2", "odin"], models.Select(m => m.Role));
        var odin = models.Single(m => m.Role == "odin");
        Assert.Equal(["odin", "eppo-odin"], odin.Methods);
        Assert.Equal(0.63, odin.HeldOutAccuracy!.Value, 6);           // (0.62 + 0.64) / 2
        Assert.Equal(0.9, odin.Figures["length_head_length_correlation"], 6);
        Assert.Equal(0.67, models[1].HeldOutAccuracy!.Value, 6);      // (0.68 + 0.66) / 2
        Assert.Contains("| odin | odin, eppo-odin | 0.63 | 0.62 / 0.64 |", md);
    }
}
