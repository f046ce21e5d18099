namespace Eppo.Core.Data;

/// <summary>One prompt from a prompt file; Id is the row's "id" or "FILE-LINE" when it has none.</summary>
public sealed record PromptRecord(string Id, string Prompt);
