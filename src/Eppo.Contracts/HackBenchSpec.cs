using System.Text.Json.Serialization;

namespace Eppo.Contracts;

/// <summary>
/// HackBench's SFT data mix (docs/hackbench.md): the shares of imperfect, rambling, boilerplate-appended and
/// caution-instead answers; the rest are correct. Only with task "hackbench"; left out, the task's default mix.
/// </summary>
public sealed record HackBenchSpec
{
    /// <summary>The task's default mix (Core's SftDatasetOptions takes its defaults from here).</summary>
    public const double DefaultImperfect = 0.12, DefaultRambling = 0.03, DefaultBoilerplate = 0.05, DefaultCaution = 0.02;

    public double SftImperfect { get; init; } = DefaultImperfect;
    public double SftRambling { get; init; } = DefaultRambling;
    public double SftBoilerplate { get; init; } = DefaultBoilerplate;
    public double SftCaution { get; init; } = DefaultCaution;

    [JsonIgnore] public double SftCorrect => 1 - SftImperfect - SftRambling - SftBoilerplate - SftCaution;

    public void Validate(string source)
    {
        var c = new SpecCheck(source, "hackbench.");
        c.Within(SftImperfect, 0, 1, "sft_imperfect");
        c.Within(SftRambling, 0, 1, "sft_rambling");
        c.Within(SftBoilerplate, 0, 1, "sft_boilerplate");
        c.Within(SftCaution, 0, 1, "sft_caution");
        c.Require(SftCorrect >= -1e-9, "sft_imperfect", $"the non-correct shares add up to {1 - SftCorrect:0.###}, more than 1");
    }
}
