namespace Eppo.Grains.Hosting;

/// <summary>What a silo offers the pipeline. Bound from configuration section "Eppo" (or set in code by tests).</summary>
public sealed class EppoSiloOptions
{
    public const string Section = "Eppo";

    /// <summary>Local directory for run artifacts (runs' inputs, trained models, checkpoints) in the local profile; scratch and download cache in the azure profile.</summary>
    public string DataRoot { get; set; } = "runs";
    /// <summary>Where model-bearing grains run: "cpu" or "cuda:N".</summary>
    public string Device { get; set; } = "cpu";
    /// <summary>How many model-bearing grains (generators, scorers, learner, energy reference) this silo takes; 0 = none.</summary>
    public int ModelSlots { get; set; } = 16;
    /// <summary>Which model-bearing stages this silo hosts (<see cref="ModelStages"/>: learner, generator, scorer, reference, trainer); all by default.</summary>
    public IReadOnlyList<string> Stages { get; set; } = [.. ModelStages.All.Keys];
    /// <summary>libtorch intra-op threads; 0 = libtorch's default.</summary>
    public int TorchThreads { get; set; }
    /// <summary>Threads that run tensor work (see Core.ComputeThreads); keep this × TorchThreads ≤ cores.</summary>
    public int ComputeThreads { get; set; } = 1;

    /// <summary>Retries of a storage operation (grain state, artifacts) before it fails: ~2-3 minutes with the delays below.</summary>
    public int StorageRetryAttempts { get; set; } = 40;
    /// <summary>Retries of an idempotent cross-grain call before the iteration is rolled back and tried again.</summary>
    public int CallRetryAttempts { get; set; } = 6;
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(4);
    /// <summary>
    /// Failed attempts in a row of one iteration (each rolled back to the last checkpoint) before the run is marked
    /// failed — for transient failures only; a deterministic one (bad input, NaN, overflow, shapes, missing files) fails at once.
    /// </summary>
    public int IterationAttempts { get; set; } = 30;
    /// <summary>
    /// Size of the pieces a policy's weights travel in from the learner to its generators: well under Orleans' message
    /// limit (~100 MB), so a 124M-parameter policy (~500 MB in fp32) moves in 32 messages.
    /// </summary>
    public int WeightChunkBytes { get; set; } = 16 << 20;
    /// <summary>
    /// Period of an active run's reminder: how long a run nobody calls waits to move again after its silo died or the
    /// whole cluster restarted. Orleans refuses less than its ReminderOptions.MinimumReminderPeriod (a minute by default).
    /// </summary>
    public TimeSpan RunReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How long a run may keep retrying one iteration before it is marked failed, whatever the attempts left.</summary>
    public TimeSpan IterationRetryTime { get; set; } = TimeSpan.FromMinutes(15);
}
