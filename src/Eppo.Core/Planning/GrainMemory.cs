using Eppo.Core.Model;
using Eppo.Core.Preparation;

namespace Eppo.Core.Planning;

/// <summary>
/// One grain's device memory. Weights are its own (fp32: whole models, adapters, heads), plus the frozen SFT model it
/// shares with every grain of its silo that reads the same model in the same dtype (<see cref="Preparation.FrozenModels"/>);
/// activations are the peak of its transient tensors over its phases (for the learner this includes the optimizer
/// step's scratch; for generation, the KV cache).
/// </summary>
public sealed record GrainMemory
{
    public const string Learner = "learner", Generator = "generator", Scorer = "scorer", EnergyReference = "energy reference";

    public required string Kind { get; init; }

    /// <summary>How many grains of this kind the run has.</summary>
    public required int Count { get; init; }

    /// <summary>The grain's own weights, all fp32.</summary>
    public required long Weights { get; init; }

    /// <summary>The shared frozen SFT model's bytes (counted once per device in a placement) and the dtype it is kept in.</summary>
    public long SharedWeights { get; init; }

    public ScalarType? SharedDtype { get; init; }

    /// <summary>What identifies the shared model on a silo: grains that read the same one hold it once.</summary>
    public string? SharedModel => SharedDtype is { } dtype ? $"SFT model ({WeightDtypes.NameOf(dtype)})" : null;

    public long Gradients { get; init; }
    public long OptimizerState { get; init; }
    public required long Activations { get; init; }

    /// <summary>Of the activations, a generating grain's KV cache (fp32 keys and values of every layer, prompt and response positions).</summary>
    public long KvCache { get; init; }

    /// <summary>Each phase's transient peak; <see cref="Activations"/> is the largest.</summary>
    public required IReadOnlyList<MemoryPhase> Phases { get; init; }

    /// <summary>What stays between passes: weights (own and shared), gradients, optimizer state.</summary>
    public long Resident => Weights + SharedWeights + Gradients + OptimizerState;

    public long Total => Resident + Activations;

    public string PeakPhase => Phases.MaxBy(p => p.Bytes)?.Name ?? "";
}

/// <summary>A phase of a grain's work and its transient peak in bytes.</summary>
public sealed record MemoryPhase(string Name, long Bytes);
