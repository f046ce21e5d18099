using System.Text.Json;
using System.Text.Json.Serialization;

namespace Eppo.Cli.Bench;

/// <summary>
/// One run of <see cref="CoreBenchmark"/>. Times are medians in milliseconds; rates are per second.
/// Serialised with snake_case names (kv_speedup, probe_overhead_pct, train_step_ms, matmul_peak_gflops, …).
/// </summary>
public sealed record CoreBenchmarkResult
{
    // Machine
    public required string CpuModel { get; init; }
    public required int Nproc { get; init; }
    public required int Threads { get; init; }            // torch.get_num_threads()
    public required double LoadAverageStart { get; init; } // /proc/loadavg, 1 minute: others' load on shared cores
    public required double LoadAverageEnd { get; init; }

    // Model and workload
    public required string Model { get; init; }           // e.g. "llama d=256 L=4 H=8 KV=4 I=688 V=1000"
    public required string ProbeSite { get; init; }
    public required long ActorMatmulParameters { get; init; }
    public required long CriticMatmulParameters { get; init; }
    public required int BatchSize { get; init; }
    public required int PromptLength { get; init; }
    public required int NewTokens { get; init; }

    // Generation (greedy, no EOS: every row decodes NewTokens steps)
    public required double GenerationMsKv { get; init; }
    public required double GenerationMsNoCache { get; init; }
    public required double GenerationTokensPerSKv { get; init; }
    public required double GenerationTokensPerSNoCache { get; init; }
    public required double KvSpeedup { get; init; }

    // Inference forward over B × (prompt + response) tokens, probe on and off
    public required double ForwardMsProbe { get; init; }
    public required double ForwardMsNoProbe { get; init; }
    public required double ProbeOverheadPct { get; init; }

    // One PPO learner step
    public required int TrainTokens { get; init; }
    public required int MiniBatchSize { get; init; }
    public required int PpoEpochs { get; init; }
    public required double TrainStepMs { get; init; }
    public required double TrainStepGflop { get; init; }  // analytic count, see TrainingFlops
    public required double TrainStepGflops { get; init; } // achieved rate

    // libtorch matmul
    public required Dictionary<string, double> MatmulGflops { get; init; } // "1024" → best GFLOP/s
    public required double MatmulPeakGflops { get; init; }
    public required double MatmulModelShapeGflops { get; init; }           // (minibatch tokens × C) · (C × I): an MLP projection in training
    public required double TrainStepPeakPct { get; init; }                 // 100 · train_step_gflops / matmul_peak_gflops

    // The targets
    public bool KvTargetMet => KvSpeedup >= Targets.KvSpeedup;
    public bool ProbeTargetMet => ProbeOverheadPct <= Targets.ProbeOverheadPct;
    public bool TrainTargetMet => TrainStepPeakPct >= Targets.TrainStepPeakPct;

    public static class Targets
    {
        public const double KvSpeedup = 5, ProbeOverheadPct = 2, TrainStepPeakPct = 40;
    }

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
