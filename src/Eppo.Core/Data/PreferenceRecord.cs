namespace Eppo.Core.Data;

/// <summary>One human preference: the prompt (for HH dialogues, everything up to and including the last "Assistant:") and two responses.</summary>
public sealed record PreferenceRecord(string Prompt, string Chosen, string Rejected);
