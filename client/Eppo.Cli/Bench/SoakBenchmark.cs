using System.Diagnostics;
using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Evaluation;
using Eppo.Grains.Hosting;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Runs;
using Eppo.Silo;
using Orleans.Serialization;
using Orleans.Storage;

namespace Eppo.Cli.Bench;

/// <summary>
/// One long run of a spec (deploy/examples/quick.json, 1,000 iterations) in an embedded silo: resident memory sampled
/// through the run — flat after the warm-up means no native leak — and the size of the run grain's persisted record
/// after 10 iterations and at the end, as the azure profile would store it.
/// </summary>
public static class SoakBenchmark
{
    public sealed record Result(string Machine, string Spec, int Iterations, double Seconds, double ResidentAfterWarmupMb, double ResidentMinMb,
        double ResidentMaxMb, double ResidentEndMb, double DriftPercent, double SlopeMbPer100Iterations, int StateBytesAt10, int StateBytesAtEnd,
        IReadOnlyList<Sample> Samples);

    /// <summary>Resident memory (MB) when the run had done <see cref="Iteration"/> iterations.</summary>
    public sealed record Sample(int Iteration, double ResidentMb);

    public static async Task<Result> RunAsync(string specPath, int iterations, Action<string> progress, CancellationToken cancellation)
    {
        var spec = (RunSpec.Load(specPath) with { Iterations = iterations }).Validate(specPath);
        var root = Directory.CreateTempSubdirectory("eppo-bench-soak-").FullName;
        var app = EppoSiloHost.Build(EmbeddedSilo.Settings("eppo-bench-soak", root));
        await app.StartAsync(cancellation);
        try
        {
            var client = app.Services.GetRequiredService<IClusterClient>();
            var runId = RunIds.New("soak");
            var run = client.GetGrain<IRunGrain>(runId);
            await run.StartAsync(spec.ToJson());
            var samples = new List<Sample>();
            var clock = Stopwatch.StartNew();
            var sampledAt = TimeSpan.Zero;
            // Resident memory about once a second, as iterations end (not while models are still being prepared).
            void Record(RunStatus status)
            {
                if (status.Iteration == 0 || status.State.IsTerminal() || clock.Elapsed - sampledAt < TimeSpan.FromSeconds(1)) return;
                sampledAt = clock.Elapsed;
                samples.Add(new Sample(status.Iteration, ProcessMemory.ResidentMb()));
                if (samples.Count % 30 == 0) progress($"iteration {status.Iteration}/{iterations}, resident {samples[^1].ResidentMb:F0} MB");
            }
            var waiter = new RunWaiter(client);
            var status = await waiter.UntilAsync(runId, s => s.Iteration >= 10 || s.State.IsTerminal(), Record, cancellation: cancellation);
            int? stateAt10 = status.State.IsTerminal() ? null : await StateBytesAsync(app.Services, run);
            status = await waiter.UntilEndedAsync(runId, Record, cancellation: cancellation);
            if (status.State != RunState.Completed) throw new EppoException($"bench soak: the run ended {status.State}: {status.Reason}");
            var seconds = clock.Elapsed.TotalSeconds;
            var stateAtEnd = await StateBytesAsync(app.Services, run);
            var steady = samples.Where(s => s.Iteration >= iterations / 10).ToArray();
            var reference = steady[0].ResidentMb;
            var drift = steady.Max(s => Math.Abs(s.ResidentMb - reference)) / reference * 100;
            var slope = Slope(steady) * 100;
            return new Result(Machine.Describe(), specPath, iterations, seconds, reference, steady.Min(s => s.ResidentMb), steady.Max(s => s.ResidentMb),
                samples[^1].ResidentMb, drift, slope, stateAt10 ?? -1, stateAtEnd, samples);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Least-squares MB per iteration.</summary>
    static double Slope(IReadOnlyList<Sample> samples)
    {
        var x = samples.Select(s => (double)s.Iteration).ToArray();
        var y = samples.Select(s => s.ResidentMb).ToArray();
        var (mx, my) = (x.Average(), y.Average());
        return x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)) / x.Sum(v => (v - mx) * (v - mx));
    }

    /// <summary>The run grain's record through the silo's grain storage and Orleans' serializer (what Blob storage would hold).</summary>
    static async Task<int> StateBytesAsync(IServiceProvider services, IRunGrain run)
    {
        var state = new GrainState<RunGrainState>();
        await services.GetRequiredKeyedService<IGrainStorage>(EppoStorage.Name).ReadStateAsync("run", run.GetGrainId(), state);
        return services.GetRequiredService<Serializer>().SerializeToArray(state.State!).Length;
    }
}
