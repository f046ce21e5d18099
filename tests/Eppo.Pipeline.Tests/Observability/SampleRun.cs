using Eppo.Core.Energy;
using Eppo.Contracts;
using Eppo.Grains.Telemetry;

namespace Eppo.Pipeline.Tests.Observability;

/// <summary>
/// A plausible EPPO run, three iterations in, whose energy drifts above the SFT reference until the hacking alarm is
/// raised; it is still running (the moment someone watching the dashboard should look).
/// The tests only need its outcome (<see cref="RecordedRun"/>): when the real pipeline lands, replace
/// <see cref="RecordThroughMetrics"/> by a short real run and keep the assertions.
/// </summary>
internal static class SampleRun
{
    public const string Method = "eppo";
    public const int Iterations = 3;
    public const int BatchSize = 8;

    public static RecordedRun RecordThroughMetrics(EppoMetrics metrics, string runId)
    {
        metrics.RecordRunState(runId, Method, RunState.Running);
        float[] sft = [-0.62f, -0.60f, -0.58f, -0.61f, -0.59f, -0.63f, -0.57f, -0.60f];
        IterationMetrics last = new();
        float[] lastRl = [];
        var allRl = new List<float>();
        for (var it = 1; it <= Iterations; it++)
        {
            // Iteration 1 tracks the reference; later ones drift up, half the batch far beyond 2σ by iteration 3.
            var rl = sft.Select((e, i) => e + (i % 2 == 0 ? 0.01f : 0.04f * it * it / 3f) + 0.002f * it).ToArray();
            allRl.AddRange(rl);
            var share = HackingAlarm.Share(rl, sft);
            last = new IterationMetrics
            {
                Iteration = it,
                PolicyVersion = it,
                ProxyReward = 0.4 + 0.2 * it,
                ShapedReward = 0.4 + 0.2 * it - 2.0 * Penalty(rl, sft),
                GoldReward = 0.5 + 0.05 * it,
                EnergyRl = rl.Average(),
                EnergyRlStd = Std(rl),
                EnergySft = sft.Average(),
                EnergyPenalty = Penalty(rl, sft),
                HackingAlarmShare = share,
                Kl = 0.01 * it,
                KlBeta = 0.0,
                ResponseLength = 24 + it,
                PolicyLoss = -0.02,
                ValueLoss = 0.3 / it,
                ClipFraction = 0.05,
                Entropy = 2.1 - 0.1 * it,
                GenerateSeconds = 1.5,
                ScoreSeconds = 0.2,
                EnergyReferenceSeconds = 0.3,
                LearnSeconds = 0.9,
                IterationSeconds = 2.9,
                RolloutTokensPerSecond = BatchSize * (24 + it) / 1.5,
                EnergyCacheHitRatio = it == 1 ? 0 : 1,
            };
            metrics.RecordIteration(runId, Method, last, rl, responseEnergySft: sft);
            lastRl = rl;
        }
        return new RecordedRun(runId, Method, last, allRl.ToArray(), lastRl);
    }

    private static double Penalty(float[] rl, float[] sft) => rl.Zip(sft, (a, b) => Math.Abs((double)a - b)).Average();

    private static double Std(float[] values)
    {
        var mean = values.Average(v => (double)v);
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }
}

/// <summary>What a run left in the metrics: its labels, the last iteration and every response energy recorded.</summary>
internal sealed record RecordedRun(string RunId, string Method, IterationMetrics Last, float[] AllEnergyRl, float[] LastEnergyRl);
