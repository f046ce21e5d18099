using Eppo.Contracts;

namespace Eppo.Core.Tests.Iteration;

/// <summary>A run spec small enough to train SFT, RM and a few PPO iterations in seconds.</summary>
public static class TinyRun
{
    public static RunSpec Spec(string method = "eppo", int iterations = 3) => new RunSpec
    {
        Name = "tiny",
        Method = method,
        Prompts = 256,
        Model = new ModelSpec { HiddenSize = 32, Layers = 2, Heads = 4, KvHeads = 2, IntermediateSize = 64 },
        Sft = new SftSpec { Steps = 60, BatchSize = 64, Lr = 3e-3, Examples = 2000 },
        Reward = new RewardSpec { Pairs = 300, Epochs = 1, BatchSize = 64 },
        Iterations = iterations,
        BatchSize = 16,
        MiniBatchSize = 8,
        Generators = 2,
        PromptShards = 2,
        CheckpointInterval = 2,
        Seed = 7,
    }.Validate();
}
