using System.Collections.Concurrent;
using System.Diagnostics;
using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Evaluation;
using Eppo.Grains.Interfaces;
using Eppo.Silo;

namespace Eppo.Cli.Bench;

/// <summary>
/// Many small runs at once: one or two silos in this process, a separate Orleans client (as the console is), and
/// <c>runs</c> runs of the tiny spec started together. While they train, the client asks one run after another for its
/// status and times each answer; afterwards every run must have completed, and resident memory is read again once
/// their stage grains have retired.
/// </summary>
public static class LoadBenchmark
{
    public sealed record Result(string Machine, int Silos, int Runs, int IterationsPerRun, double TrainingSeconds, int Completed,
        IReadOnlyList<string> NotCompleted, int StatusCalls, double StatusP50Ms, double StatusP95Ms, double StatusP99Ms, double StatusMaxMs,
        double ResidentStartMb, double ResidentPeakMb, double ResidentEndMb);

    public static RunSpec Spec => new RunSpec
    {
        Name = "load",
        Prompts = 256,
        Model = new ModelSpec { HiddenSize = 32, Layers = 2, Heads = 4, KvHeads = 2, IntermediateSize = 64 },
        Sft = new SftSpec { Steps = 60, BatchSize = 64, Examples = 2000 },
        Reward = new RewardSpec { Pairs = 300, Epochs = 1, BatchSize = 64 },
        Iterations = 20,
        BatchSize = 16,
        MiniBatchSize = 8,
        Generators = 2,
        PromptShards = 2,
        CheckpointInterval = 5,
        Seed = 7,
    }.Validate("bench load");

    public static async Task<Result> RunAsync(int silos, int runs, Action<string> progress, CancellationToken cancellation)
    {
        var root = Directory.CreateTempSubdirectory("eppo-bench-load-").FullName;
        var hosts = new List<WebApplication>();
        try
        {
            var first = EmbeddedSilo.Settings("eppo-bench-load", root);
            for (var i = 0; i < silos; i++)
            {
                // Later silos join the first (local clustering names one primary).
                var settings = i == 0 ? first : EmbeddedSilo.Settings(first.ClusterId, root) with { PrimarySiloPort = first.SiloPort };
                var host = EppoSiloHost.Build(settings);
                await host.StartAsync(cancellation);
                hosts.Add(host);
            }
            await using var connection = await ClusterConnection.ConnectAsync(new ClusterSettings { GatewayPort = first.GatewayPort, ClusterId = first.ClusterId }, cancellation);
            var client = connection.Client;

            progress("warm-up run (trains the shared SFT and RM once, loads libtorch)");
            await RunToEndAsync(client, Spec with { Name = "load-warmup" }, cancellation);
            await Task.Delay(TimeSpan.FromSeconds(3), cancellation);   // its stage grains retire
            var start = ProcessMemory.SettledResidentMb();

            progress($"{runs} runs at once on {silos} silo(s)");
            var ids = Enumerable.Range(0, runs).Select(i => RunIds.New($"load-{i:D2}")).ToArray();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(ids.Select(id => client.GetGrain<IRunGrain>(id).StartAsync((Spec with { Name = "load" }).ToJson())));
            var latencies = new List<double>();
            var peak = start;
            var ended = new ConcurrentDictionary<string, bool>();
            using var tooLong = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            tooLong.CancelAfter(TimeSpan.FromMinutes(20));
            var waiting = new RunWaiter(client).UntilAllEndedAsync(ids, ended: s => ended[s.RunId] = true, cancellation: tooLong.Token);
            // What is measured: status calls answered while the runs train, one run after another, every 20 ms.
            for (var call = 0; !waiting.IsCompleted; call++)
            {
                var id = ids[call % runs];
                if (ended.ContainsKey(id)) continue;
                var timer = Stopwatch.StartNew();
                await client.GetGrain<IRunGrain>(id).GetStatusAsync();
                latencies.Add(timer.Elapsed.TotalMilliseconds);
                peak = Math.Max(peak, ProcessMemory.ResidentMb());
                await Task.WhenAny(waiting, Task.Delay(20, cancellation));
            }
            IReadOnlyDictionary<string, RunStatus> settled;
            try { settled = await waiting; }
            catch (OperationCanceledException) when (tooLong.IsCancellationRequested && !cancellation.IsCancellationRequested)
            {
                throw new EppoException($"bench load: runs still going after 20 minutes ({ended.Count} of {runs} ended)");
            }
            var seconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(3), cancellation);   // ended runs retire their stage grains
            var end = ProcessMemory.SettledResidentMb();
            var notCompleted = settled.Values.Where(s => s.State != RunState.Completed).Select(s => $"{s.RunId}: {s.State} {s.Reason}").ToArray();
            return new Result(Machine.Describe(), silos, runs, Spec.Iterations, seconds, runs - notCompleted.Length, notCompleted, latencies.Count,
                Stats.Quantile(latencies, 0.5), Stats.Quantile(latencies, 0.95), Stats.Quantile(latencies, 0.99), latencies.Max(), start, peak, end);
        }
        finally
        {
            foreach (var host in Enumerable.Reverse(hosts)) await host.StopAsync(CancellationToken.None);
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    static async Task RunToEndAsync(IClusterClient client, RunSpec spec, CancellationToken cancellation)
    {
        var runId = RunIds.New(spec.Name);
        await client.GetGrain<IRunGrain>(runId).StartAsync(spec.ToJson());
        var status = await new RunWaiter(client).UntilEndedAsync(runId, cancellation: cancellation);
        if (status.State != RunState.Completed) throw new EppoException($"bench load: warm-up run ended {status.State}: {status.Reason}");
    }
}
