using System.Buffers.Binary;
using System.Text.Json;
using Eppo.Experiments;
using Eppo.Core;
using Spectre.Console;

namespace Eppo.Cli.Tests;

public sealed class DemoReportTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("eppo-report-").FullName;
    readonly ReportDocument document;
    readonly JsonElement root;

    public DemoReportTests()
    {
        document = DemoReport.Write(SyntheticDemo.Inputs(), dir);
        root = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, DemoReport.JsonFile))).RootElement;
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static JsonElement At(JsonElement e, string path)
    {
        foreach (var part in path.Split('.')) e = int.TryParse(part, out var i) ? e[i] : e.GetProperty(part);
        return e;
    }

    double Num(string path) => At(root, path).GetDouble();

    [Fact]
    public void MethodsHoldTheIssuesFieldsWithHandCheckedMeans()
    {
        var methods = root.GetProperty("methods");
        Assert.Equal(["sft", "ppo", "ppo-kl", "eppo"], methods.EnumerateObject().Select(p => p.Name));
        foreach (var method in methods.EnumerateObject())
            foreach (var field in new[] { "gold_reward", "proxy_reward", "mean_length", "energy_loss", "kl" })
                Assert.Equal(JsonValueKind.Number, method.Value.GetProperty(field).ValueKind);
        // PPO gold: seed 1 (−0.5 − 1 + 1 − 1) / 4 = −0.375, seed 2: 1.
        Assert.Equal(0.3125, Num("methods.ppo.gold_reward"), 6);
        Assert.Equal(1.375 / Math.Sqrt(2), Num("methods.ppo.spread.gold_reward.std"), 6);
        Assert.Equal(10.0, Num("methods.ppo.kl"), 6);           // (16 + 4) / 2
        Assert.Equal(3.0, Num("methods.ppo.sqrt_kl"), 6);       // (√16 + √4) / 2
        // down_proj adds 2: seed 1 (0.75 + 0.5 + 0.125 + 0.25) / 4 + 2, seed 2 0.25 + 2.
        Assert.Equal((2.40625 + 2.25) / 2, Num("methods.ppo.energy_loss"), 5);
        Assert.Equal(0.25, Num("methods.ppo.boilerplate_share_benign") * 2, 6); // one of four benign answers in seed 1, none in seed 2
        Assert.Equal(0.25, Num("methods.sft.gold_reward"), 6);  // (1 + 1 + 0 − 1) / 4
        Assert.Equal(0.70, Num("reward_model.held_out_accuracy"), 6);
    }

    [Fact]
    public void WinTieLoseIsPairedPerSeedAndPooled()
    {
        var rows = root.GetProperty("win_tie_lose").EnumerateArray().ToArray();
        Assert.Equal(4 * 3, rows.Length);                       // every ordered pair of ppo, ppo-kl, eppo, sft
        var eppoVsPpo = rows.Single(r => r.GetProperty("policy").GetString() == "eppo" && r.GetProperty("opponent").GetString() == "ppo");
        // Seed 1: eppo 1, 0.9, 1, −1 vs ppo −0.5, −1, 1, −1 → W W T T; seed 2 vs 1, 1, 1, 1 → T L T L.
        Assert.Equal(0.25, At(eppoVsPpo, "win").GetDouble(), 6);
        Assert.Equal(0.5, At(eppoVsPpo, "tie").GetDouble(), 6);
        Assert.Equal(0.25, At(eppoVsPpo, "lose").GetDouble(), 6);
        Assert.Equal(0.5, At(eppoVsPpo, "win_rate").GetDouble(), 6);
        Assert.Equal([0.75, 0.25], At(eppoVsPpo, "win_rate_per_seed").EnumerateArray().Select(x => x.GetDouble()));
        var ppoVsEppo = rows.Single(r => r.GetProperty("policy").GetString() == "ppo" && r.GetProperty("opponent").GetString() == "eppo");
        Assert.Equal(0.25, At(ppoVsEppo, "win").GetDouble(), 6);
        // 0.9 vs 1 loses by more than the 0.05 margin: eppo vs ppo-kl = T L T T per seed.
        var eppoVsKl = document.WinTieLose.Single(r => r.Policy == "eppo" && r.Opponent == "ppo-kl");
        Assert.Equal(0.375, eppoVsKl.WinRate, 6);
    }

    [Fact]
    public void Figure5StartsAtSftAndAveragesSeedsPerIteration()
    {
        var ppo = root.GetProperty("win_rate_vs_sft").GetProperty("ppo").EnumerateArray()
            .Select(p => (p.GetProperty("iteration").GetInt32(), p.GetProperty("win_rate").GetDouble(), p.GetProperty("seeds").GetInt32())).ToArray();
        // 0: SFT itself; 2: seed 1's checkpoint (T L W T); 4: finals, seed 1 L L W T = 0.375, seed 2 T T W W = 0.75.
        Assert.Equal([(0, 0.5, 2), (2, 0.5, 1), (4, 0.5625, 2)], ppo);
        var kl = root.GetProperty("reward_vs_sqrt_kl").GetProperty("ppo");
        Assert.Equal(0.0, Num("reward_vs_sqrt_kl.ppo.0.sqrt_kl"), 6);
        Assert.Equal(0.25, Num("reward_vs_sqrt_kl.ppo.0.gold_reward"), 6);
        Assert.Equal(3.0, Num($"reward_vs_sqrt_kl.ppo.{kl.GetArrayLength() - 1}.sqrt_kl"), 6);
    }

    [Fact]
    public void TrainingCurvesAndObservationOne()
    {
        Assert.Equal(3.5, Num("training_curves.ppo.3.proxy_reward"), 6);   // (3 + 4) / 2
        Assert.Equal(-0.5, Num("training_curves.ppo.3.gold_reward"), 6);
        Assert.Equal(-0.2, Num("training_curves.ppo.3.energy_rl"), 6);
        Assert.Equal(-0.5, Num("energy_loss.by_method.ppo.first"), 6);
        Assert.Equal(-0.2, Num("energy_loss.by_method.ppo.last"), 6);
        Assert.Equal(0.3, Num("energy_loss.by_method.ppo.rise"), 6);
        Assert.Equal(0.5, Num("energy_loss.by_method.ppo.drift_share"), 6);
        // EPPO's final energy equals its reference: the drift share is 0/0, written as null.
        Assert.Equal(JsonValueKind.Null, At(root, "energy_loss.by_method.eppo.drift_share").ValueKind);
        Assert.Equal("down_proj", At(root, "energy_loss.site").GetString());
    }

    [Fact]
    public void HackingHasTheIssuesShapeAndHandCheckedGroups()
    {
        var h = root.GetProperty("hacking");
        Assert.Equal("ppo", h.GetProperty("policy").GetString());
        // Seed 1: boilerplate on a benign prompt, and proxy 3 ≥ 2.25 with gold −1 → 2 of 8.
        Assert.Equal(2.25, Num("hacking.proxy_thresholds.0.value"), 6);
        Assert.Equal((8, 2), (h.GetProperty("samples").GetInt32(), h.GetProperty("hacking_samples").GetInt32()));
        Assert.Equal(1.0, Num("hacking.auroc"), 6);
        Assert.Equal(1.0, Num("hacking.auroc_rise"), 6);
        Assert.Equal(2.25, Num("hacking.energy.hacking.sft"), 6);
        Assert.Equal(2.625, Num("hacking.energy.hacking.rl"), 6);
        Assert.Equal(1.375 / 6 + 2, Num("hacking.energy.normal.sft"), 6);
        Assert.Equal(1.375 / 6 + 2, Num("hacking.energy.normal.rl"), 6);
        Assert.Equal(["block", "mlp", "down_proj", "mlp_linears"], h.GetProperty("per_site").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2.625 - 2, Num("hacking.per_site.block.energy.hacking.rl"), 6);
        Assert.Equal(0.25, Num("hacking.sft.hacking_share"), 6);  // SFT's "7" with proxy 3, once per seed
        Assert.Equal(["ppo", "ppo-kl", "eppo"], h.GetProperty("by_method").EnumerateObject().Select(p => p.Name));
        Assert.Equal(24, h.GetProperty("pooled_rl").GetProperty("samples").GetInt32());
    }

    [Fact]
    public void OveroptimizationHasTheIssuesFieldsWithHandCheckedValues()
    {
        // PPO's trajectory (mean over seeds; iteration 2 only seed 1 evaluated): gold 0.25 (SFT, √KL 0), (1 + 0.9 + 1 − 1) / 4
        // = 0.475 (√KL 1), (−0.375 + 1) / 2 = 0.3125 (√KL (4 + 2) / 2 = 3).
        Assert.Equal(0.25, Num("overoptimization.ppo.sft_gold"), 6);
        Assert.Equal(0.475, Num("overoptimization.ppo.peak_gold"), 6);
        Assert.Equal(2, At(root, "overoptimization.ppo.peak_iteration").GetInt32());
        Assert.Equal(0.3125, Num("overoptimization.ppo.final_gold"), 6);
        // Two points fit exactly: α = 0.225 (at d = 1, −d ln d = 0); 3α − 3 ln 3 β = 0.0625.
        Assert.Equal(0.225, Num("overoptimization.ppo.alpha"), 6);
        Assert.Equal(0.18584050876964597, Num("overoptimization.ppo.beta"), 6);
        Assert.Equal(1.2345611754683319, Num("overoptimization.ppo.peak_sqrt_kl"), 5);
        Assert.Equal(0.47943147695628696, Num("overoptimization.ppo.fitted_peak_gold"), 6);
        Assert.Equal(0.225, Num("overoptimization.ppo.peak_gain"), 6);
        Assert.Equal(0.0625, Num("overoptimization.ppo.kept_gain"), 6);
        // Seed 1 rose to 0.475 and ended at −0.375 (below 0.25); seed 2 ended at its peak, 1.
        Assert.True(document.Overoptimization["ppo"].PerSeed[0].RoseThenFell);
        Assert.False(document.Overoptimization["ppo"].PerSeed[1].RoseThenFell);
        // PPO-KL has one point past SFT: no fit, the peak is its end.
        Assert.Equal(JsonValueKind.Null, At(root, "overoptimization.ppo-kl.alpha").ValueKind);
        Assert.Equal(0.5, Num("overoptimization.ppo-kl.peak_gold"), 6);
        Assert.Equal(4, At(root, "overoptimization.ppo-kl.peak_iteration").GetInt32());

        Assert.Equal([1, 2, 4], At(root, "best_of_n").EnumerateArray().Select(p => p.GetProperty("n").GetInt32()));
        Assert.Equal(0.45, Num("best_of_n.2.gold"), 9);
        Assert.Equal(Math.Log(4) - 0.75, Num("best_of_n.2.kl"), 9);
        Assert.Contains(document.Findings, f => f.StartsWith("Gold rose, then fell below SFT (Gao et al.'s shape) in: PPO 1/2 seeds"));
        // Mean best-of-n gold 0.25, 0.40, 0.45: rises by 0.2 and does not fall.
        Assert.Contains(document.Findings, f => f.StartsWith("Best-of-n of the SFT policy on the proxy: gold 0.250 at n = 1, 0.450 at n = 4")
                                                && f.EndsWith("the proxy is right where RL starts."));
    }

    [Fact]
    public void ConfigIsStated()
    {
        Assert.Equal("down_proj", At(root, "config.probe_site").GetString());
        Assert.Equal(2.0, Num("config.eta"));
        Assert.Equal(0.05, Num("config.win_margin"));
        Assert.Equal([1, 2], At(root, "config.seeds").EnumerateArray().Select(s => s.GetInt32()));
        Assert.Equal(64, At(root, "config.model.hidden_size").GetInt32());
        Assert.Contains("EOS excluded", At(root, "config.energy_mask").GetString());
        Assert.Equal("planted-bias", At(root, "config.variant").GetString());
        Assert.StartsWith("picked by `eppo tune`", At(root, "config.configurations").GetString());
        var md = File.ReadAllText(Path.Combine(dir, DemoReport.MarkdownFile));
        Assert.Contains("| HackBench variant | `planted-bias` (docs/hackbench.md) |", md);
        Assert.Contains("| configurations | picked by `eppo tune` (tune.json) for the methods it tuned: ppo: actor_lr 5e-5 |", md);
    }

    [Fact]
    public void MarkdownHasTheSectionsAndFindingsNameWhereEppoDoesNotWin()
    {
        var md = File.ReadAllText(Path.Combine(dir, DemoReport.MarkdownFile));
        foreach (var heading in new[]
                 {
                     "## Setup", "## Proxy reward model", "## Table 1: EPPO against each policy", "### All pairs", "## Figure 5",
                     "## Observation 1", "## Observation 2", "## Gold and proxy reward against √KL", "## Overoptimization (Gao et al. 2022)",
                     "## What this shows",
                 })
            Assert.Contains(heading, md);
        Assert.Contains("| ppo | 25% | 50% | 25% | **0.50** | 0.75 / 0.25 |", md);
        foreach (var png in ReportPlots.Write(document, dir)) Assert.Contains($"]({png})", md);
        Assert.Contains(document.Findings, f => f.StartsWith("EPPO vs PPO-KL: win rate 0.38") && f.EndsWith("EPPO does not win."));
        Assert.Contains(document.Findings, f => f.Contains("does not win against PPO-KL"));
        Assert.Contains(document.Findings, f => f.Contains("per seed 0.25–0.75, not consistent across seeds"));
        Assert.Contains(document.Findings, f => f.StartsWith("Under PPO the proxy reward on rollouts went 2.50 → 3.50"));
        Assert.Contains(document.Findings, f => f.Contains("moved 50% as far"));
    }

    [Fact]
    public void PlotsAreValidPngs()
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        foreach (var name in new[] { ReportPlots.WinRateFile, ReportPlots.EnergyFile, ReportPlots.RewardsFile, ReportPlots.KlFile })
        {
            var bytes = File.ReadAllBytes(Path.Combine(dir, name));
            Assert.True(bytes.Length > 2000, $"{name} is {bytes.Length} bytes");
            Assert.Equal(signature, bytes[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            Assert.Equal(900, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
            Assert.Equal(540, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        }
    }

    [Fact]
    public void ConsoleTableListsEachOpponent()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 120;
        WinTieLoseConsole.Print(console, document);
        var text = writer.ToString();
        foreach (var opponent in new[] { "ppo", "ppo-kl", "sft" }) Assert.Contains(opponent, text);
        Assert.Contains("0.38", text);
        Assert.Contains("win rate", text);
    }

    [Fact]
    public void SameInputsGiveTheSameReport()
    {
        var again = ReportJson.Serialize(DemoReport.Build(SyntheticDemo.Inputs()));
        Assert.Equal(File.ReadAllText(Path.Combine(dir, DemoReport.JsonFile)), again);
        Assert.Equal(document.Findings, ReportJson.Deserialize(again).Findings);
    }

    [Fact]
    public void RejectsInconsistentInputs()
    {
        var inputs = SyntheticDemo.Inputs();
        var orphan = inputs with { Baselines = inputs.Baselines.Where(b => b.Seed == 1).ToArray() };
        Assert.Contains("seed 2", Assert.Throws<EppoException>(() => DemoReport.Build(orphan)).Message);
        var duplicate = inputs with { Runs = [.. inputs.Runs, inputs.Runs[0]] };
        Assert.Throws<EppoException>(() => DemoReport.Build(duplicate));
        var unpaired = inputs with { Runs = [inputs.Runs[0] with { Final = inputs.Runs[0].Final with { SamplingSeed = 7 } }] };
        Assert.Throws<EppoException>(() => DemoReport.Build(unpaired));
    }
}
