using Eppo.Contracts.Messages;

namespace Eppo.Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("eppo.GenerateRequest")]
public sealed record GenerateRequest
{
    [Id(0)] public required RunContext Run { get; init; }
    [Id(1)] public required PromptBatch Prompts { get; init; }
    /// <summary>The learner's version to sample with; 0 is the SFT policy.</summary>
    [Id(2)] public required int PolicyVersion { get; init; }
    /// <summary>Sampling seed: a function of (run seed, iteration, chunk), so results do not depend on which silo runs it.</summary>
    [Id(3)] public required long Seed { get; init; }
}
