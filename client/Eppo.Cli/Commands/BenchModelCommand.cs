using System.ComponentModel;
using System.Globalization;
using Eppo.Cli.Bench;
using Eppo.Core;
using Eppo.Core.Model;
using Eppo.Core.Preparation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class BenchModelSettings : BenchSettings
{
    [CommandOption("--shape <NAME>"), Description("gpt2 (124M), smollm-135m (Llama, GQA) or tiny-gpt2 (a quick check); random weights"), DefaultValue("gpt2")]
    public string Shape { get; init; } = "gpt2";

    [CommandOption("--rounds <N>"), Description("Rounds; each times both sides, alternating which goes first"), DefaultValue(3)]
    public int Rounds { get; init; } = 3;

    [CommandOption("--no-peer"), Description("Skip the PyTorch peer")]
    public bool NoPeer { get; init; }

    [CommandOption("--lora <R>"), Description("Instead of the PyTorch comparison: LoRA r R (all linears) against full fine-tuning of the same shape, each learner in a process of its own (peak memory and the plan's, policy bytes, PPO step)")]
    public int? Lora { get; init; }

    public override ValidationResult Validate() =>
        ShapeOption.Check(Shape) is { Successful: false } shape ? shape
        : Rounds is < 1 or > 20 ? ValidationResult.Error($"--rounds: {Rounds} is not in 1..20")
        : Lora is < 1 or > 4096 ? ValidationResult.Error($"--lora: {Lora} is not in 1..4096")
        : base.Validate();
}

/// <summary>
/// A real-size model against PyTorch eager on this machine: checkpoint load, KV-cache generation (batch 8, 64 new
/// tokens), one PPO step, and one weight sync through Orleans against a local file write. Ratios are per round
/// (ours / PyTorch), reported as the median with the range. With --lora R, instead: LoRA r R against full fine-tuning
/// of the same shape (<see cref="LoraComparison"/>), ours alone.
/// </summary>
public sealed class BenchModelCommand : AsyncCommand<BenchModelSettings>
{
    public sealed record Round(ModelBenchmark.Timings Ours, TorchPeer.Timings? Peer, double? GenerationRatio, double? PpoStepRatio, double? LoadRatio, double? SameTokensShare);

    public override async Task<int> ExecuteAsync(CommandContext context, BenchModelSettings settings, CancellationToken cancellation)
    {
        settings.ApplyThreads();
        void Progress(string message) => Console.Error.WriteLine($"bench model: {message}");
        var config = ModelShapes.Get(settings.Shape);
        // LoRA against full fine-tuning is ours alone: no peer to check.
        var peerMissing = settings.NoPeer ? "--no-peer" : settings.Lora is not null ? null : TorchPeer.Unavailable();
        if (peerMissing is not null && !settings.NoPeer) Progress($"no PyTorch peer: {peerMissing}");
        var root = Directory.CreateTempSubdirectory("eppo-bench-model-").FullName;
        try
        {
            var checkpoint = Path.Combine(root, "hf");
            var sft = Path.Combine(root, "sft");
            Progress($"writing a random {settings.Shape} checkpoint");
            ComputeThreads.Run(() =>
            {
                ModelBenchmark.WriteCheckpoint(config, checkpoint, seed: 1);
                using var model = Core.Checkpoints.HuggingFaceCheckpoint.Load(checkpoint);
                ModelStore.Save(sft, model);
            });
            if (settings.Lora is { } rank)
            {
                var lora = LoraComparison.Run(settings.Shape, sft, rank, settings.Rounds, settings.Threads, Progress);
                if (settings.Json)
                    Console.WriteLine(StatusView.ToJson(new
                    {
                        Machine = Machine.Describe(), settings.Shape, Model = config, lora.LearnerPeakRssLoraOverFull, lora.PolicyBytesLoraOverFull,
                        lora.PpoStepLoraOverFull, LearnerMeasuredOverPlan = new { Full = lora.Full.MeasuredOverPlan, Lora = lora.Lora.MeasuredOverPlan },
                        lora.PlanWithinTolerance, Lora = lora,
                    }));
                else AnsiConsole.Write(LoraTable(settings.Shape, lora));
                return ExitCodes.Ok;
            }
            var work = ModelBenchmark.Plan(config, seed: 2);
            var threads = ComputeThreads.Run(() => TorchSharp.torch.get_num_threads());
            var rounds = new List<Round>();
            for (var i = 0; i < settings.Rounds; i++)
            {
                ModelBenchmark.Timings? ours = null;
                TorchPeer.Timings? peer = null;
                void Ours() { Progress($"round {i + 1}: EppoOrleans"); ours = ComputeThreads.Run(() => ModelBenchmark.Run(checkpoint, work, seed: 3)); }
                void Peer() { if (peerMissing is null) { Progress($"round {i + 1}: PyTorch"); peer = TorchPeer.Run(checkpoint, work, threads, seed: 3); } }
                if (i % 2 == 0) { Ours(); Peer(); } else { Peer(); Ours(); }
                rounds.Add(new Round(ours!, peer, peer is null ? null : ours!.GenerationS / peer.GenerationS, peer is null ? null : ours!.PpoStepS / peer.PpoStepS,
                    peer is null ? null : ours!.LoadS / peer.LoadS, peer is null ? null : SameShare(ours!.Generated, peer.Generated)));
            }
            var sync = await WeightSyncBenchmark.RunAsync(sft, settings.Rounds, Progress, cancellation);
            var result = new
            {
                Machine = Machine.Describe(), settings.Shape, Model = config, Core.Checkpoints.HuggingFaceCheckpoint.Inspect(checkpoint).Parameters, TorchThreads = threads,
                work.BatchSize, work.PromptLength, work.NewTokens, PeerTorch = rounds.FirstOrDefault(r => r.Peer is not null)?.Peer?.Torch,
                PeerBlas = rounds.FirstOrDefault(r => r.Peer is not null)?.Peer?.Blas, PeerSkipped = peerMissing,
                Rounds = rounds.Select(r => new
                {
                    r.Ours.LoadS, r.Ours.GenerationS, r.Ours.PpoStepS, PeerLoadS = r.Peer?.LoadS, PeerGenerationS = r.Peer?.GenerationS,
                    PeerPpoStepS = r.Peer?.PpoStepS, r.LoadRatio, r.GenerationRatio, r.PpoStepRatio, r.SameTokensShare,
                }),
                Median = new
                {
                    LoadS = Median(rounds.Select(r => r.Ours.LoadS)), GenerationTokensPerS = work.BatchSize * work.NewTokens / Median(rounds.Select(r => r.Ours.GenerationS)),
                    PpoStepS = Median(rounds.Select(r => r.Ours.PpoStepS)),
                    GenerationRatio = MedianOrNull(rounds.Select(r => r.GenerationRatio)), PpoStepRatio = MedianOrNull(rounds.Select(r => r.PpoStepRatio)),
                    LoadRatio = MedianOrNull(rounds.Select(r => r.LoadRatio)),
                    SyncFetchS = Median(sync.Rounds.Select(r => r.FetchS)), SyncFileWriteS = Median(sync.Rounds.Select(r => r.FileWriteS)),
                    SyncRatio = Median(sync.Rounds.Select(r => r.FetchS / r.FileWriteS)),
                },
                Sync = sync,
            };
            if (settings.Json) Console.WriteLine(StatusView.ToJson(result));
            else AnsiConsole.Write(Table(settings.Shape, rounds, sync, work, result.Median.SyncRatio));
            return ExitCodes.Ok;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    static double SameShare(int[][] a, int[][] b) =>
        (double)a.Zip(b).Sum(p => p.First.Zip(p.Second).Count(t => t.First == t.Second)) / a.Sum(r => r.Length);

    static double Median(IEnumerable<double> values) => Core.Evaluation.Stats.Quantile(values, 0.5);

    static double? MedianOrNull(IEnumerable<double?> values)
    {
        var present = values.OfType<double>().ToArray();
        return present.Length == 0 ? null : Median(present);
    }

    static string Spread(IEnumerable<double?> values)
    {
        var present = values.OfType<double>().ToArray();
        return present.Length == 0 ? "no peer" : $"{F(Median(present), "0.00")}× ({F(present.Min(), "0.00")}–{F(present.Max(), "0.00")})";
    }

    static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

    static Table LoraTable(string shape, LoraComparison.Result r)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{shape}: LoRA r {r.Rank} (all linears) against full fine-tuning, each learner in its own process ({Markup.Escape(r.Allocator)}); " +
                   $"process overhead {Size(r.ProcessOverheadBytes)} (torch and the model loaded: {Size(r.LoadOnlyRssBytes)} resident)")
            .AddColumns("measure", "full", $"LoRA r {r.Rank}", "LoRA / full, median (range)", "target");
        table.AddRow("learner peak RSS (VmHWM)", Size(r.Full.PeakRssBytes), Size(r.Lora.PeakRssBytes), F(r.LearnerPeakRssLoraOverFull), $"≤ {F(r.PeakRssTarget)}×");
        table.AddRow("plan: learner bytes + process overhead", Size(r.Full.PlanPlusOverheadBytes), Size(r.Lora.PlanPlusOverheadBytes), "", "");
        table.AddRow("measured / plan", F(r.Full.MeasuredOverPlan), F(r.Lora.MeasuredOverPlan), r.PlanWithinTolerance ? "[green]within[/]" : "[red]outside[/]",
            $"{F(1 - LoraComparison.PlanTolerance)}–{F(1 + LoraComparison.PlanTolerance)}");
        table.AddRow("bytes per policy version", Size(r.Full.PolicyBytes), Size(r.Lora.PolicyBytes), F(r.PolicyBytesLoraOverFull, "0.0000"), $"≤ {F(r.PolicyBytesTarget)}×");
        table.AddRow("PPO step", $"{F(r.Full.PpoStepS)} s", $"{F(r.Lora.PpoStepS)} s",
            $"{F(r.PpoStepLoraOverFull.Median)}× ({F(r.PpoStepLoraOverFull.Min)}–{F(r.PpoStepLoraOverFull.Max)})", $"≤ {F(r.PpoStepLoraOverFull.Target)}×");
        return table;
    }

    static string Size(long bytes) => Core.Planning.ByteSize.Format(bytes);

    static Table Table(string shape, List<Round> rounds, WeightSyncBenchmark.Result sync, ModelBenchmark.Work work, double syncRatio)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"eppo bench model --shape {shape} — {Markup.Escape(Machine.Describe())}")
            .AddColumns("measure", "EppoOrleans (median)", "PyTorch eager (median)", "ours / PyTorch, median (range)", "target");
        string Ours(Func<ModelBenchmark.Timings, double> pick, string unit) => $"{F(Median(rounds.Select(r => pick(r.Ours))))} {unit}";
        string Peer(Func<TorchPeer.Timings, double> pick, string unit) =>
            rounds.All(r => r.Peer is null) ? "—" : $"{F(Median(rounds.Where(r => r.Peer is not null).Select(r => pick(r.Peer!))))} {unit}";
        table.AddRow("checkpoint load", Ours(t => t.LoadS, "s"), Peer(t => t.LoadS, "s"), Spread(rounds.Select(r => r.LoadRatio)), "≤ 2 s");
        table.AddRow($"generation {work.BatchSize}×{work.NewTokens}, KV cache", Ours(t => t.GenerationS, "s"), Peer(t => t.GenerationS, "s"),
            Spread(rounds.Select(r => r.GenerationRatio)), "≤ 1.0×");
        table.AddRow("PPO step", Ours(t => t.PpoStepS, "s"), Peer(t => t.PpoStepS, "s"), Spread(rounds.Select(r => r.PpoStepRatio)), "≤ 1.0×");
        table.AddRow("greedy tokens equal to PyTorch's", "", "", Spread(rounds.Select(r => r.SameTokensShare)), "");
        table.AddRow($"weight sync via Orleans ({sync.Bytes / 1e6:F0} MB, {sync.Chunks} chunks)", $"{F(Median(sync.Rounds.Select(r => r.FetchS)))} s",
            $"file write {F(Median(sync.Rounds.Select(r => r.FileWriteS)))} s", $"{F(syncRatio)}× a file write", "≤ 2×");
        return table;
    }
}
