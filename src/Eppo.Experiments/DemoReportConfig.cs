using Eppo.Core.Evaluation;
using Eppo.Contracts;

namespace Eppo.Experiments;

/// <summary>
/// What the demo ran, as the report states it. ProbeSite uses the config spelling ("down_proj"); Model is the size of
/// policy, critic and RM; Iterations and KlBeta are the RL settings shared by the methods; Command is the exact command
/// line (docs/results.md quotes it). WinMargin: gold difference within which a pair ties. ProxyQuantile: the hacking
/// rule's proxy threshold is this quantile of each seed's sampled SFT proxy scores (see <see cref="EvaluationMetrics"/>).
/// Reference: the method Table 1 compares against every other policy (the paper's EPPO).
/// </summary>
public sealed record DemoReportConfig
{
    public required string ProbeSite { get; init; }
    public required double Eta { get; init; }
    public required IReadOnlyList<int> Seeds { get; init; }
    public required ModelSpec Model { get; init; }
    public int Iterations { get; init; }
    public double KlBeta { get; init; }
    public int EvalPrompts { get; init; }
    public int MaxNewTokens { get; init; }
    public string Command { get; init; } = "";
    public float WinMargin { get; init; } = EvaluationMetrics.DefaultWinMargin;
    public double ProxyQuantile { get; init; } = EvaluationMetrics.DefaultProxyQuantile;
    public float GoldLow { get; init; } = EvaluationMetrics.DefaultGoldLow;
    public string Reference { get; init; } = "eppo";
    /// <summary>The HackBench variant the data come from (<see cref="HackBenchVariant"/>).</summary>
    public string Variant { get; init; } = HackBenchVariant.Gao.Name;
    /// <summary>Where the methods' settings come from when not the paper's, e.g. an `eppo tune` run's picks; empty: the paper's.</summary>
    public string Configurations { get; init; } = "";
    /// <summary>How EPPO's penalty read energy (RunSpec's energy_* fields), e.g. "paper energy, policy reader, spread scale".</summary>
    public string EnergyVariant { get; init; } = Describe(new RunSpec());

    public static string Describe(RunSpec spec) =>
        $"{spec.EnergyDefinition} energy, {spec.EnergyReader} reader, {spec.EnergyScale} scale{(spec.EnergyOneSided ? ", one-sided" : "")}";
}
