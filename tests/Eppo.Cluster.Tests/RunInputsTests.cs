using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Eppo.Cluster.Tests.Infrastructure;
using Eppo.Contracts;
using Eppo.Core.Checkpoints;
using Eppo.Core.Model;
using Eppo.Core.Text;
using Eppo.Grains.Interfaces;
using Eppo.Tests;
using Xunit.Abstractions;

namespace Eppo.Cluster.Tests;

/// <summary>
/// A run's inputs are stored at run start (azure profile: blobs under content hashes): the client's files can go,
/// and a silo that never saw them runs the run's stages.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RunInputsTests(ClusterFixture fixture, ITestOutputHelper output)
{
    static readonly TimeSpan Long = TimeSpan.FromSeconds(240);
    static readonly string Tokenizer = RepoRoot.Path("tests", "Eppo.Core.Tests", "Fixtures", "Tokenizers", "llama3");

    /// <summary>A tiny Hugging Face policy (the Llama-3-style fixture tokenizer) and a preference dataset, in <paramref name="dir"/>.</summary>
    static RunSpec TextRun(string dir)
    {
        var policy = Path.Combine(dir, "policy");
        using (var model = new DecoderModel(ModelConfig.Tiny(vocabSize: HuggingFaceTokenizer.Load(Tokenizer).VocabSize, maxPositions: 128)))
            HuggingFaceExport.Save(model, policy, Tokenizer);
        var data = Path.Combine(dir, "pairs.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 60).Select(i =>
            new JsonObject { ["prompt"] = $"\n\nHuman: Question {i % 30}?\n\nAssistant:", ["chosen"] = $"Answer {i}.", ["rejected"] = "I cannot help." }.ToJsonString()));
        return new RunSpec
        {
            Name = "inputs", Task = "text", Method = "eppo", Seed = 5, MaxNewTokens = 16, Prompts = 16,
            Text = new TextSpec { Policy = policy, Data = data, HeldOutFraction = 0.2, MaxPromptTokens = 64 },
            Sft = new SftSpec { Steps = 4, BatchSize = 8, Lr = 1e-3 },
            Reward = new RewardSpec { Pairs = 24, Epochs = 1, BatchSize = 8, ResponsesPerPrompt = 2 },
            Iterations = 6, BatchSize = 4, MiniBatchSize = 2, Generators = 2, PromptShards = 2, CheckpointInterval = 1,
        }.Validate("text run");
    }

    [Fact]
    public async Task A_text_run_completes_on_silos_that_never_saw_its_files()
    {
        var files = Directory.CreateTempSubdirectory("eppo-client-files-").FullName;
        var spec = TextRun(files);
        await using var cluster = new ProcessCluster(fixture, "inputs");
        await cluster.StartSilosAsync(2);
        var runId = await cluster.StartRunAsync(spec);
        Directory.Delete(files, recursive: true);   // the run has its own copies from here on

        // The inputs are artifacts named by their content: the policy checkpoint and the dataset.
        var container = new BlobServiceClient(fixture.ConnectionString).GetBlobContainerClient("eppo-artifacts");
        var manifests = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "inputs/", default))
            if (blob.Name.EndsWith("/_manifest.json", StringComparison.Ordinal)) manifests.Add(blob.Name);
        Assert.Equal(2, manifests.Count);

        // Paused part-way, so that the rest of the run certainly comes after: the silo that read the files at start
        // dies, and one started after they were deleted takes its place.
        await cluster.WaitAsync(runId, s => s.Iteration >= 2, Long);
        var run = cluster.Client.GetGrain<IRunGrain>(runId);
        await run.PauseAsync();
        var paused = await cluster.WaitAsync(runId, s => s.State == RunState.Paused, Long);
        Assert.True(paused.Iteration < spec.Iterations, $"the run was at iteration {paused.Iteration} of {spec.Iterations} when paused");
        var host = await cluster.HostOfAsync(run);
        Assert.NotNull(host);
        host.Kill();
        var newcomer = await cluster.StartSiloAsync();
        output.WriteLine($"paused at iteration {paused.Iteration}; killed {host} (it stored the inputs at start); started {newcomer}");
        await cluster.WaitAsync(runId, s => s.State == RunState.Paused, Long);   // the run grain, re-activated on a silo that never saw the files
        await run.ResumeAsync();

        var status = await cluster.WaitForEndAsync(runId, Long);
        Assert.True(status.State == RunState.Completed, $"run ended {status.State}: {status.Reason}\n{cluster.Logs()}");
        Assert.Equal(spec.Iterations, status.Iteration);
        Assert.StartsWith("blob:models/", status.SftPath);
    }
}
