using System.Diagnostics;
using Eppo.Contracts;
using Eppo.Core;
using Eppo.Core.Checkpoints;
using Eppo.Core.Preparation;
using Eppo.Grains.Interfaces;
using Eppo.Grains.Stages;
using Eppo.Silo;

namespace Eppo.Cli.Bench;

/// <summary>
/// A real-size policy from the learner grain to a reader, as a generator on another silo gets it: a silo in this
/// process hosts the learner (initialised from the checkpoint as a run's SFT model), and an Orleans client fetches
/// the current version chunk by chunk over loopback TCP with <see cref="PolicyTransfer"/> (SHA-256 checked). The
/// yardstick: writing the same bytes to a local file.
/// </summary>
public static class WeightSyncBenchmark
{
    public sealed record Round(double SerialiseS, double FetchS, double LoadIntoModelS, double FileWriteS);

    public sealed record Result(long Bytes, int Chunks, int ChunkBytes, IReadOnlyList<Round> Rounds);

    public static async Task<Result> RunAsync(string sftDir, int rounds, Action<string> progress, CancellationToken cancellation)
    {
        var root = Directory.CreateTempSubdirectory("eppo-bench-sync-").FullName;
        try
        {
            var settings = EmbeddedSilo.Settings("eppo-bench-sync", root);
            var host = EppoSiloHost.Build(settings);
            await host.StartAsync(cancellation);
            try
            {
                await using var connection = await ClusterConnection.ConnectAsync(
                    new ClusterSettings { GatewayPort = settings.GatewayPort, ClusterId = settings.ClusterId }, cancellation);
                var runId = RunIds.New("bench-sync");
                var learner = connection.Client.GetGrain<ILearnerGrain>(runId);
                var run = new RunContext { RunId = runId, SpecJson = new RunSpec { Name = "bench-sync" }.ToJson(), SftPath = sftDir, RewardPaths = [] };
                progress("learner grain: loading the policy");
                await learner.InitializeAsync(run, checkpoint: null, iterationsDone: 0);
                using var reader = ComputeThreads.Run(() => ModelStore.Load(sftDir).Model);
                var results = new List<Round>();
                PolicyWeights? policy = null;
                for (var i = 0; i < rounds; i++)
                {
                    progress($"weight sync round {i + 1} of {rounds}");
                    var clock = Stopwatch.StartNew();
                    // Version −1: a reader that has nothing, so the learner publishes (serialises once per version).
                    policy = await learner.GetPolicyAsync(-1);
                    var serialise = clock.Elapsed.TotalSeconds;
                    clock.Restart();
                    var bytes = await PolicyTransfer.FetchAsync(learner, policy);
                    var fetch = clock.Elapsed.TotalSeconds;
                    clock.Restart();
                    ComputeThreads.Run(() => ModelWeights.Load(reader, SafetensorsFile.FromChunks(bytes, "policy")));
                    var load = clock.Elapsed.TotalSeconds;
                    var file = Path.Combine(root, "policy.bin");
                    clock.Restart();
                    await using (var stream = File.Create(file))
                        foreach (var chunk in bytes.Chunks) await stream.WriteAsync(chunk, cancellation);
                    var write = clock.Elapsed.TotalSeconds;
                    File.Delete(file);
                    results.Add(new Round(serialise, fetch, load, write));
                }
                await learner.RetireAsync();
                return new Result(policy!.TotalBytes, policy.Chunks, policy.ChunkBytes, results);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
                await host.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
