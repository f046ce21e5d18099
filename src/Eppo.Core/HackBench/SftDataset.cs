namespace Eppo.Core.HackBench;

/// <summary>Seeded SFT data: (prompt, response) examples over the training prompts, mixed as in <see cref="SftDatasetOptions"/>.</summary>
public static class SftDataset
{
    public static IReadOnlyList<SftExample> Generate(int seed, int count, SftDatasetOptions? options = null)
    {
        var o = options ?? SftDatasetOptions.Default;
        o.Validate();
        var rng = new Random(StableHash.ToSeed(StableHash.Add(StableHash.Of("hackbench-sft"), seed)));
        return PromptGenerator.Generate(seed, o.Split, count, o.Prompts)
            .Select(prompt =>
            {
                var kind = o.SampleKind(rng);
                var useTemplate = rng.NextDouble() < o.TemplateFraction;
                return new SftExample(prompt, ResponseVariants.Write(prompt, kind, useTemplate, rng), kind);
            })
            .ToArray();
    }
}
