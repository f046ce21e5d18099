namespace Eppo.Core.HackBench;

/// <summary>Mix of the prompt stream: harmful prompts get this share, the five benign skills split the rest evenly.</summary>
public sealed record PromptGeneratorOptions(double HarmfulFraction = 0.12)
{
    public static PromptGeneratorOptions Default { get; } = new();

    internal void Validate()
    {
        if (HarmfulFraction is < 0 or > 1 || double.IsNaN(HarmfulFraction))
            throw new EppoException($"HarmfulFraction must be in [0, 1], got {HarmfulFraction}");
    }
}
