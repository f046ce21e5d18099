using Eppo.Contracts;

namespace Eppo.Experiments;

/// <summary>One run of a study: its spec and the label it is reported under (unique within its seed) — the method for the demo and `eppo study`, a configuration's name when tuning.</summary>
public sealed record PlannedRun(RunSpec Spec, string Label);
