namespace Eppo.Core.Data;

/// <summary>One prompt from a prompt file; Id is the row's "id", or "STEM-N" (the file's name, the row's number) when it has none.</summary>
public sealed record PromptRecord(string Id, string Prompt);
