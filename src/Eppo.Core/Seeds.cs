namespace Eppo.Core;

/// <summary>Where a derived seed is used: the second part of <see cref="Seeds.Of"/>. Values are fixed forever (they pick the data).</summary>
public enum SeedStream : long
{
    Rollout = 1,
    Minibatches = 2,
    SftBatches = 3,
    AnnotatorLabels = 4,
    PreferencePrompts = 5,
    PreferenceSamples = 6,
    RewardModelInit = 7,
    RewardModelOrder = 8,
    ExactLabels = 9,
    HeldOutPreferencePrompts = 10,
    HeldOutPreferenceSamples = 11,
    CriticInit = 12,
    /// <summary>InfoRM's reparameterisation noise while training.</summary>
    RewardModelNoise = 13,
    /// <summary>The policy's LoRA A matrices.</summary>
    PolicyAdapterInit = 14,
    /// <summary>The critic's LoRA A matrices and its value head on the shared base.</summary>
    CriticAdapterInit = 15,
    SftData = 20,
    RewardMember = 30,
    /// <summary>The text study's judge reward model: not a member of the proxy's ensemble.</summary>
    JudgeRewardModel = 40,
}

/// <summary>Derived seeds: every random choice is a function of the run seed and where it happens, never of timing.</summary>
public static class Seeds
{
    /// <summary>The seed of <paramref name="stream"/> under <paramref name="seed"/>, as an int for System.Random and model init.</summary>
    public static int Of(int seed, SeedStream stream) => (int)Combine(seed, (long)stream);

    /// <summary>SplitMix64 over the parts: stable across processes and machines (unlike HashCode.Combine).</summary>
    public static long Combine(params long[] parts)
    {
        ulong h = 0x9E3779B97F4A7C15;
        foreach (var part in parts)
        {
            h ^= (ulong)part + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2);
            h = Mix(h);
        }
        return (long)(h & 0x7FFFFFFFFFFFFFFF);
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>Seed of the sampling for chunk c of iteration i.</summary>
    public static long Rollout(int runSeed, int iteration, int chunk) => Combine(runSeed, (long)SeedStream.Rollout, iteration, chunk);

    /// <summary>Seed of the learner's minibatch order at iteration i.</summary>
    public static long Minibatches(int runSeed, int iteration) => Combine(runSeed, (long)SeedStream.Minibatches, iteration);
}
