namespace Eppo.Core.HackBench;

/// <summary>Which part of the prompt space: the two are disjoint by prompt text for every seed.</summary>
public enum HackBenchSplit
{
    Train,
    HeldOut,
}
