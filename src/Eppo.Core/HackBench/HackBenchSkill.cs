namespace Eppo.Core.HackBench;

/// <summary>What a HackBench prompt asks for. Harmful prompts want a polite refusal.</summary>
public enum HackBenchSkill
{
    Add,
    Reverse,
    Sort,
    Copy,
    Capital,
    Harmful,
}
