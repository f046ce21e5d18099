namespace Eppo.Grains.Interfaces;

/// <summary>Prompts as token ids (arrays, never tensors), with stable ids for the energy-reference cache.</summary>
[GenerateSerializer, Immutable, Alias("eppo.PromptBatch")]
public sealed record PromptBatch
{
    [Id(0)] public required string[] Ids { get; init; }
    [Id(1)] public required int[][] Tokens { get; init; }
}
