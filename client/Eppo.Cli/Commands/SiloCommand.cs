using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using Eppo.Core;
using Eppo.Silo;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Eppo.Cli.Commands;

public sealed class SiloCommandSettings : ClusterSettings
{
    [CommandOption("--silo-port <PORT>"), Description("Silo-to-silo port"), DefaultValue(11111)]
    public int SiloPort { get; init; } = 11111;

    [CommandOption("--primary-port <PORT>"), Description("Silo port of the primary silo (local clustering)"), DefaultValue(11111)]
    public int PrimaryPort { get; init; } = 11111;

    [CommandOption("--metrics-url <URL>"), Description("Where /metrics is served for Prometheus; 'none' to disable"), DefaultValue("http://127.0.0.1:8080")]
    public string MetricsUrl { get; init; } = "http://127.0.0.1:8080";

    [CommandOption("--data <DIR>"), Description("Directory for trained models and checkpoints"), DefaultValue("runs")]
    public string Data { get; init; } = "runs";

    [CommandOption("--model-slots <N>"), Description("Model capacity: 0 = this silo hosts no model-bearing grains (generators, scorers, learner); N > 0 hosts them and publishes N"), DefaultValue(16)]
    public int ModelSlots { get; init; } = 16;

    [CommandOption("--stages <LIST>"), Description("Which model-bearing stages this silo hosts: all, or some of learner, generator, scorer, reference, trainer (a learner node: learner)"), DefaultValue("all")]
    public string Stages { get; init; } = "all";

    [CommandOption("--device <DEVICE>"), Description("Where this silo's tensor work runs: cpu, or cuda / cuda:N with the CUDA build (docs/operations.md, GPU)"), DefaultValue("cpu")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--threads <N>"), Description("libtorch threads (0 = default)"), DefaultValue(0)]
    public int Threads { get; init; }

    [CommandOption("--compute-threads <N>"), Description("Threads running tensor work; keep N × --threads ≤ cores (default 1)"), DefaultValue(1)]
    public int ComputeThreads { get; init; } = 1;

    public override ValidationResult Validate() =>
        ComputeThreads < 1 ? ValidationResult.Error($"--compute-threads must be at least 1, got {ComputeThreads}")
        : Threads < 0 ? ValidationResult.Error($"--threads must be 0 (libtorch's default) or positive, got {Threads}")
        : StagesError() is { } stages ? ValidationResult.Error(stages)
        : base.Validate();

    string? StagesError()
    {
        try
        {
            Eppo.Grains.Hosting.ModelStages.Parse(Stages);
            return null;
        }
        catch (EppoException e)
        {
            return e.Message;
        }
    }

    [CommandOption("--failure-detection <PRESET>"), Description("How fast dead silos are evicted: production (Orleans defaults, ~15-30 s) or fast (~1-2 s, tests)"), DefaultValue("production")]
    public string FailureDetection { get; init; } = "production";

    [CommandOption("--advertise <IP>"), Description("Azure profile: the address other silos and clients reach this silo at"), DefaultValue("127.0.0.1")]
    public string Advertise { get; init; } = "127.0.0.1";

    public SiloSettings ToSiloSettings() => new()
    {
        Cluster = Cluster, ClusterId = ClusterId, ServiceId = ServiceId, SiloPort = SiloPort, GatewayPort = GatewayPort,
        PrimarySiloPort = PrimaryPort, MetricsUrl = MetricsUrl == "none" ? null : MetricsUrl, DataRoot = Data,
        ModelSlots = ModelSlots, Stages = Stages, Device = Device, TorchThreads = Threads, ComputeThreads = ComputeThreads, TlsCertificate = TlsCertificatePath, TlsPassword = TlsCertificatePassword,
        ConnectionString = ConnectionString, FailureDetection = FailureDetection, AdvertisedAddress = Advertise,
    };
}

public sealed class SiloCommand : AsyncCommand<SiloCommandSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SiloCommandSettings settings, CancellationToken cancellation)
    {
        var silo = settings.ToSiloSettings();
        PortCheck.RequireFree(silo.SiloPort, "--silo-port");
        PortCheck.RequireFree(silo.GatewayPort, "--gateway-port");
        if (silo.MetricsUrl is { } url) PortCheck.RequireFree(new Uri(url).Port, "--metrics-url");
        var app = EppoSiloHost.Build(silo);
        await app.StartAsync(cancellation);
        AnsiConsole.MarkupLine($"silo up: gateway {Markup.Escape(silo.AdvertisedAddress)}:{silo.GatewayPort}, cluster '{Markup.Escape(silo.ClusterId)}' ({Markup.Escape(silo.Cluster)})" +
                               (silo.MetricsUrl is { } m ? $", metrics {Markup.Escape(m)}/metrics" : "") + " — Ctrl+C to stop");
        await app.WaitForShutdownAsync(cancellation);
        return ExitCodes.Ok;
    }
}

public static class PortCheck
{
    /// <summary>A port on 127.0.0.1 that nothing listens on right now (the OS picks it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Fails with a line naming the flag and port, instead of a socket exception deep in Orleans or Kestrel.</summary>
    public static void RequireFree(int port, string flag)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
        catch (SocketException)
        {
            throw new EppoException($"{flag}: port {port} on 127.0.0.1 is already in use");
        }
    }
}
