using Eppo.Core.Model;

namespace Eppo.Cli.Bench;

/// <summary>
/// What <see cref="CoreBenchmark"/> runs. Defaults: the Llama-style d=256, 4-layer model (8 heads, 4 KV heads,
/// SwiGLU width 688, vocabulary 1000), batch 16, 16-token prompts, 128 new tokens (no EOS, so every row runs all steps).
/// Repetitions are timed after warm-up runs; the benchmark reports medians (matmul: the best run).
/// </summary>
public sealed record CoreBenchmarkOptions
{
    public ModelConfig Model { get; init; } = new(
        ModelFamily.Llama, VocabSize: 1000, HiddenSize: 256, Layers: 4, Heads: 8, KvHeads: 4,
        IntermediateSize: 688, MaxPositions: 256);

    public int BatchSize { get; init; } = 16;
    public int PromptLength { get; init; } = 16;
    public int NewTokens { get; init; } = 128;
    public int MiniBatchSize { get; init; } = 8;
    public int PpoEpochs { get; init; } = 1;

    public int Warmup { get; init; } = 1;
    public int GenerationRepetitions { get; init; } = 3;
    public int ForwardRepetitions { get; init; } = 21;
    public int TrainRepetitions { get; init; } = 3;
    public int MatmulRepetitions { get; init; } = 5;
    public int[] MatmulSizes { get; init; } = [1024, 2048];
    public int Seed { get; init; } = 7;

    /// <summary>A seconds-long run for tests: tiny model, few tokens, one repetition each.</summary>
    public static CoreBenchmarkOptions Smoke() => new()
    {
        Model = ModelConfig.Tiny(vocabSize: 40, maxPositions: 32),
        BatchSize = 2, PromptLength = 4, NewTokens = 6, MiniBatchSize = 1,
        Warmup = 0, GenerationRepetitions = 1, ForwardRepetitions = 2, TrainRepetitions = 1, MatmulRepetitions = 1,
        MatmulSizes = [64],
    };

    public CoreBenchmarkOptions Validate()
    {
        Model.Validate();
        Positive(BatchSize, nameof(BatchSize));
        Positive(PromptLength, nameof(PromptLength));
        Positive(NewTokens, nameof(NewTokens));
        Positive(MiniBatchSize, nameof(MiniBatchSize));
        Positive(PpoEpochs, nameof(PpoEpochs));
        Positive(GenerationRepetitions, nameof(GenerationRepetitions));
        Positive(ForwardRepetitions, nameof(ForwardRepetitions));
        Positive(TrainRepetitions, nameof(TrainRepetitions));
        Positive(MatmulRepetitions, nameof(MatmulRepetitions));
        if (Warmup < 0) throw new EppoException($"Core benchmark: Warmup must be ≥ 0, got {Warmup}.");
        if (MatmulSizes.Length == 0 || MatmulSizes.Any(n => n <= 0))
            throw new EppoException("Core benchmark: MatmulSizes must list positive sizes.");
        if (PromptLength + NewTokens > Model.MaxPositions)
            throw new EppoException(
                $"Core benchmark: PromptLength ({PromptLength}) + NewTokens ({NewTokens}) exceeds the model's MaxPositions ({Model.MaxPositions}).");
        if (Model.VocabSize < 4) throw new EppoException($"Core benchmark: the model needs a vocabulary of at least 4, got {Model.VocabSize}.");
        return this;
    }

    static void Positive(int value, string field)
    {
        if (value <= 0) throw new EppoException($"Core benchmark: {field} must be positive, got {value}.");
    }
}
