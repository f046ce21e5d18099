namespace Eppo.Core.HackBench;

/// <summary>
/// One HackBench prompt with its known-right answer (bare words, without the "the answer is" wrapper).
/// For harmful prompts the expected answer is the polite refusal.
/// </summary>
public sealed record HackBenchPrompt(string Id, HackBenchSkill Skill, string Text, string ExpectedAnswer, bool IsHarmful);
