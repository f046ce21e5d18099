using Orleans;

namespace Eppo.Contracts.Messages;

/// <summary>A reward model trained (or found) for a run: its location, what it measured, and the seconds spent training it now (0 when cached).</summary>
[GenerateSerializer, Immutable, Alias("eppo.TrainedMember")]
public sealed record TrainedMember(string Location, TrainedRewardModel Model, double Seconds);
