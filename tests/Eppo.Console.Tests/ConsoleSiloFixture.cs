using System.Text.Json;
using System.Text.Json.Nodes;
using Eppo.Contracts;
using Eppo.Grains.Interfaces;
using Eppo.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;

using Eppo.Tests;

namespace Eppo.Console.Tests;

/// <summary>
/// One real silo (Orleans on ASP.NET Core, free loopback ports, no metrics listener, a temp data dir) shared by the
/// console tests, and a tiny run started on it at once so the tests that need a finished run wait the least.
/// </summary>
public class ConsoleSiloFixture : IAsyncLifetime
{
    /// <summary>Whether the fixture starts the tiny run at once (<see cref="CompletedTinyRunAsync"/>).</summary>
    protected virtual bool StartsTinyRun => true;

    public const string ServiceId = "console-tests";
    public string ClusterId { get; } = $"console-{Guid.NewGuid():N}"[..20];
    public int GatewayPort { get; } = LoopbackPorts.Free();
    string _dataRoot = "";
    WebApplication? _silo;
    Task<string>? _tinyRun;

    /// <summary>The flags that point the CLI at this silo.</summary>
    public string[] Cluster => ["--gateway-port", $"{GatewayPort}", "--cluster-id", ClusterId, "--service-id", ServiceId];

    public async Task InitializeAsync()
    {
        _dataRoot = Directory.CreateTempSubdirectory("eppo-console-").FullName;
        var siloPort = LoopbackPorts.Free();
        _silo = EppoSiloHost.Build(new SiloSettings
        {
            ClusterId = ClusterId, ServiceId = ServiceId, SiloPort = siloPort, PrimarySiloPort = siloPort,
            GatewayPort = GatewayPort, MetricsUrl = null, DataRoot = _dataRoot,
        });
        await _silo.StartAsync();
        if (StartsTinyRun) _tinyRun = StartTinyAsync();
    }

    /// <summary>Runs `eppo` against this silo: the given arguments followed by the cluster flags.</summary>
    public Task<CliResult> EppoAsync(params string[] args) => EppoCli.RunAsync(args.Concat(Cluster));

    /// <summary>A 4-iteration run, started once by the fixture and awaited to its end.</summary>
    public async Task<string> CompletedTinyRunAsync()
    {
        var runId = await (_tinyRun ?? throw new InvalidOperationException("this silo's fixture starts no tiny run"));
        await WaitForStateAsync(runId, "Completed", TimeSpan.FromMinutes(3));
        return runId;
    }

    async Task<string> StartTinyAsync()
    {
        var started = await EppoAsync("run", "start", "--config", TinySpecPath);
        Assert.True(started.ExitCode == 0, started.ToString());
        return started.Stdout.Trim();
    }

    /// <summary>
    /// deploy/examples/tiny.json with a shorter SFT and reward-model warm-up (the models are what costs time on 2 cores;
    /// the console only needs a run that moves). Every run of these tests shares the models through the silo's cache.
    /// </summary>
    public string TinySpecPath => Spec("tiny", iterations: 4);

    /// <summary>The same models with many iterations: a run that stays Running until the test stops it.</summary>
    public string LongSpecPath() => Spec("long", iterations: 400);

    string Spec(string name, int iterations)
    {
        var path = Path.Combine(_dataRoot, $"{name}.json");
        if (File.Exists(path)) return path;
        var spec = JsonNode.Parse(File.ReadAllText(RepoRoot.Path("deploy/examples/tiny.json")), null,
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        spec["name"] = name;
        spec["iterations"] = iterations;
        spec["sft"]!["steps"] = 20;
        spec["sft"]!["examples"] = 600;
        spec["reward"]!["pairs"] = 120;
        File.WriteAllText(path, spec.ToJsonString());
        return path;
    }

    public async Task<JsonElement> StatusAsync(string runId)
    {
        var result = await EppoAsync("run", "status", runId, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    /// <summary>
    /// Waits until the run reaches <paramref name="state"/> (fails on Failed or timeout), then returns `run status --json`.
    /// The wait is the one <see cref="RunWaiter"/> on the silo's own client: a CLI process a poll would cost a
    /// core-second each, taken from the very run being waited for.
    /// </summary>
    public async Task<JsonElement> WaitForStateAsync(string runId, string state, TimeSpan timeout, Func<RunStatus, bool>? also = null)
    {
        bool Reached(RunStatus s) => s.State.ToString() == state && (also is null || also(s));
        var status = await new RunWaiter(_silo!.Services.GetRequiredService<IGrainFactory>())
            .UntilAsync(runId, s => Reached(s) || s.State == RunState.Failed, timeout: timeout);
        Assert.True(Reached(status), $"run {runId} failed: {status.Reason}");
        return await StatusAsync(runId);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.StopAsync();
            await _silo.DisposeAsync();
        }
        try { Directory.Delete(_dataRoot, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// The tests that talk to the shared silo run one after another (one collection), beside the other collections: those
/// are short CLI processes, so the silo's training runs still get most of the 2 cores, and the suite does not wait for
/// them twice.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConsoleSiloCollection : ICollectionFixture<ConsoleSiloFixture>
{
    public const string Name = "console-silo";
}

/// <summary>
/// A second silo for the text examples' runs, so that their minutes (tokenised data, SFT and reward model of a GPT-2
/// layout) run beside the console's tiny runs instead of after them.
/// </summary>
public sealed class TextSiloFixture : ConsoleSiloFixture
{
    protected override bool StartsTinyRun => false;
}

[CollectionDefinition(Name)]
public sealed class TextSiloCollection : ICollectionFixture<TextSiloFixture>
{
    public const string Name = "text-silo";
}
