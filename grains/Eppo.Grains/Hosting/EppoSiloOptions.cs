namespace Eppo.Grains.Hosting;

/// <summary>What a silo offers the pipeline. Bound from configuration section "Eppo" (or set in code by tests).</summary>
public sealed class EppoSiloOptions
{
    public const string Section = "Eppo";

    /// <summary>Local directory for run artifacts (trained models, checkpoints) in the local profile.</summary>
    public string DataRoot { get; set; } = "runs";
    /// <summary>Where model-bearing grains run: "cpu" or "cuda:N".</summary>
    public string Device { get; set; } = "cpu";
    /// <summary>How many model-bearing grains (generators, scorers, learner, energy reference) this silo takes; 0 = none.</summary>
    public int ModelSlots { get; set; } = 16;
    /// <summary>libtorch intra-op threads; 0 = libtorch's default.</summary>
    public int TorchThreads { get; set; }
}
