namespace Eppo.Silo;

/// <summary>How to host a silo: cluster profile, endpoints, metrics and storage.</summary>
public sealed record SiloSettings
{
    /// <summary>"local" (localhost clustering, memory grain storage, checkpoints on disk), "azure" (Azure Storage) or
    /// "kubernetes" (azure, with the silo's identity from its pod: <see cref="KubernetesProfile"/>).</summary>
    public string Cluster { get; init; } = "local";
    public string ClusterId { get; init; } = "eppo";
    public string ServiceId { get; init; } = "eppo";
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    /// <summary>Primary silo endpoint for local clustering with several silos on one machine.</summary>
    public int PrimarySiloPort { get; init; } = 11111;
    /// <summary>Prometheus scrape endpoint; null = no HTTP listener.</summary>
    public string? MetricsUrl { get; init; } = "http://127.0.0.1:8080";
    public string DataRoot { get; init; } = "runs";
    public int ModelSlots { get; init; } = 16;
    /// <summary>The model-bearing stages this silo hosts: "all" or a list (Grains' ModelStages).</summary>
    public string Stages { get; init; } = "all";
    /// <summary>Where this silo's tensor work runs: "cpu" or "cuda[:N]" (needs the CUDA build; see ComputeDevice).</summary>
    public string Device { get; init; } = "cpu";
    public int TorchThreads { get; init; }
    public int ComputeThreads { get; init; } = 1;
    /// <summary>Azure profile: from --connection-string; null = EPPO_STORAGE_CONNECTION or configuration (see StorageConnection).</summary>
    public string? ConnectionString { get; init; }
    /// <summary>Console log level; the embedded demo raises it to Error to keep its progress display clean.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
    /// <summary>PFX of the cluster certificate: TLS on all Orleans connections when set (see docs/operations.md, TLS).</summary>
    public string? TlsCertificate { get; init; }
    public string? TlsPassword { get; init; }
    /// <summary>Azure profile: the address other silos and clients reach this silo at (it listens on all interfaces unless loopback).</summary>
    public string AdvertisedAddress { get; init; } = "127.0.0.1";
    /// <summary>"production" (Orleans defaults) or "fast" (tests); see FailureDetection.</summary>
    public string FailureDetection { get; init; } = "production";
    /// <summary>Azure profile: blob container of checkpoints and trained models.</summary>
    public string ArtifactContainer { get; init; } = "eppo-artifacts";
    /// <summary>Azure profile: blob container of grain state.</summary>
    public string GrainStateContainer { get; init; } = "eppo-grainstate";
}
