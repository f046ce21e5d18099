namespace Eppo.Core.Tasks;

/// <summary>One supervised example as text: the SFT policy learns to answer <see cref="Prompt"/> with <see cref="Response"/>.</summary>
public sealed record SftRow(string Prompt, string Response);
