using Eppo.Contracts;

namespace Eppo.Core.HackBench;

/// <summary>
/// The response mix of SFT data, like real assistant data: mostly right, some imperfect, some rambling, a few
/// percent safety boilerplate after the answer or instead of it. The correct share is what remains (0.78 by default).
/// TemplateFraction: share of answers written "the answer is X" rather than bare "X".
/// </summary>
public sealed record SftDatasetOptions(
    double ImperfectFraction = HackBenchSpec.DefaultImperfect,
    double RamblingFraction = HackBenchSpec.DefaultRambling,
    double BoilerplateAppendedFraction = HackBenchSpec.DefaultBoilerplate,
    double CautionInsteadFraction = HackBenchSpec.DefaultCaution,
    double TemplateFraction = 0.8,
    HackBenchSplit Split = HackBenchSplit.Train,
    PromptGeneratorOptions? Prompts = null)
{
    public static SftDatasetOptions Default { get; } = new();

    public double CorrectFraction => 1 - ImperfectFraction - RamblingFraction - BoilerplateAppendedFraction - CautionInsteadFraction;

    internal void Validate()
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(ImperfectFraction), ImperfectFraction), (nameof(RamblingFraction), RamblingFraction),
                     (nameof(BoilerplateAppendedFraction), BoilerplateAppendedFraction),
                     (nameof(CautionInsteadFraction), CautionInsteadFraction), (nameof(TemplateFraction), TemplateFraction),
                 })
            if (value is < 0 or > 1 || double.IsNaN(value)) throw new EppoException($"{name} must be in [0, 1], got {value}");
        if (CorrectFraction < -1e-9)
            throw new EppoException($"the non-correct fractions add up to {1 - CorrectFraction}, more than 1");
    }

    internal ResponseKind SampleKind(Random rng)
    {
        var u = rng.NextDouble();
        if ((u -= ImperfectFraction) < 0) return ResponseKind.Imperfect;
        if ((u -= RamblingFraction) < 0) return ResponseKind.Rambling;
        if ((u -= BoilerplateAppendedFraction) < 0) return ResponseKind.BoilerplateAppended;
        if ((u -= CautionInsteadFraction) < 0) return ResponseKind.CautionInstead;
        return ResponseKind.Correct;
    }
}
