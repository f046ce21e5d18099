using Eppo.Core.Evaluation;
using System.Diagnostics.Metrics;
using Eppo.Core;
using Eppo.Core.Energy;
using Eppo.Contracts;

namespace Eppo.Grains.Telemetry;

/// <summary>
/// Training metrics of the runs hosted by this silo, on the OpenTelemetry-compatible Meter "Eppo". Every series is
/// labelled by <c>run</c> (run id) and <c>method</c> only; a few carry one more bounded label (<c>stage</c>,
/// <c>state</c>). Never prompt or response text. Gauges are synchronous <see cref="Gauge{T}"/>: the exporter keeps the
/// last value per series. docs/observability.md lists every instrument and its Prometheus name.
/// </summary>
public sealed class EppoMetrics
{
    public const string MeterName = "Eppo";

    // Energy loss is a difference of mean |activations|: small, either sign (the paper's demo sits near −0.6).
    private static readonly IReadOnlyList<double> EnergyBuckets =
        [-4, -2, -1, -0.75, -0.5, -0.25, -0.1, -0.05, 0, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 4];

    private readonly Histogram<double> _energyLossRl;
    private readonly Gauge<double> _energyRlMean, _energyRlStd, _energySft, _energySftStd, _penalty;
    private readonly Gauge<double> _proxyReward, _shapedReward, _goldReward;
    private readonly Gauge<double> _kl, _klBeta, _responseLength, _policyLoss, _valueLoss, _clipFraction, _entropy;
    private readonly Gauge<double> _stageSeconds, _iterationSeconds, _tokensPerSecond, _cacheHitRatio;
    private readonly Gauge<long> _iteration, _policyVersion, _alarm;
    private readonly Gauge<double> _alarmShare, _alarmThreshold;
    private readonly Gauge<int> _runState;

    public EppoMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(new MeterOptions(MeterName));
        _energyLossRl = meter.CreateHistogram("eppo.energy_loss.rl", unit: null,
            description: "Energy loss ΔE_RL of each policy response at the probe site",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = EnergyBuckets });
        _energyRlMean = meter.CreateGauge<double>("eppo.energy_loss.rl.mean", description: "Batch mean of ΔE_RL");
        _energyRlStd = meter.CreateGauge<double>("eppo.energy_loss.rl.std", description: "Batch std of ΔE_RL");
        _energySft = meter.CreateGauge<double>("eppo.energy_loss.sft", description: "Batch mean of the SFT reference ΔE_SFT on the same prompts");
        _energySftStd = meter.CreateGauge<double>("eppo.energy_loss.sft.std", description: "Batch std of ΔE_SFT (the alarm's σ)");
        _penalty = meter.CreateGauge<double>("eppo.energy_loss.penalty", description: "Batch mean of |ΔE_SFT − ΔE_RL|");
        _proxyReward = meter.CreateGauge<double>("eppo.reward.proxy", description: "Mean proxy reward-model score r");
        _shapedReward = meter.CreateGauge<double>("eppo.reward.shaped", description: "Mean shaped reward r̂ that PPO optimised");
        _goldReward = meter.CreateGauge<double>("eppo.reward.gold", description: "Mean gold-judge score (tasks with a gold judge)");
        _kl = meter.CreateGauge<double>("eppo.kl", description: "KL of the policy to the SFT reference");
        _klBeta = meter.CreateGauge<double>("eppo.kl.beta", description: "KL coefficient β in use");
        _responseLength = meter.CreateGauge<double>("eppo.response.length", description: "Mean response length in tokens");
        _policyLoss = meter.CreateGauge<double>("eppo.loss.policy", description: "PPO policy (actor) loss");
        _valueLoss = meter.CreateGauge<double>("eppo.loss.value", description: "PPO value (critic) loss");
        _clipFraction = meter.CreateGauge<double>("eppo.clip_fraction", description: "Share of tokens whose ratio was clipped");
        _entropy = meter.CreateGauge<double>("eppo.entropy", description: "Mean per-token policy entropy");
        _stageSeconds = meter.CreateGauge<double>("eppo.stage.seconds", unit: "s", description: "Seconds of the last iteration's stage (label stage)");
        _iterationSeconds = meter.CreateGauge<double>("eppo.iteration.seconds", unit: "s", description: "Seconds of the last iteration");
        _tokensPerSecond = meter.CreateGauge<double>("eppo.rollout.tokens_per_second", description: "Rollout generation throughput");
        _cacheHitRatio = meter.CreateGauge<double>("eppo.energy_cache.hit_ratio", description: "Share of SFT reference energies served from the cache");
        _iteration = meter.CreateGauge<long>("eppo.iteration", description: "Last finished iteration");
        _policyVersion = meter.CreateGauge<long>("eppo.policy.version", description: "Policy weights version");
        _alarmShare = meter.CreateGauge<double>("eppo.hacking_alarm.share", description: "Share of responses whose ΔE_RL departs from ΔE_SFT by more than k σ");
        _alarmThreshold = meter.CreateGauge<double>("eppo.hacking_alarm.threshold", description: "Share at which the hacking alarm is raised");
        _alarm = meter.CreateGauge<long>("eppo.hacking_alarm", description: "1 when the hacking alarm is raised, else 0");
        _runState = meter.CreateGauge<int>("eppo.run.state", description: "1 for the run's current state (label state), 0 for the others");
    }

    /// <summary>Stage label values of eppo.stage.seconds.</summary>
    public static IReadOnlyList<string> Stages { get; } = ["generate", "score", "energy_reference", "learn"];

    /// <summary>Records one finished PPO iteration of a run.</summary>
    /// <param name="responseEnergyRl">ΔE_RL of each response in the batch (the histogram).</param>
    /// <param name="alarmThreshold">Share at which the alarm is raised (the run's setting).</param>
    /// <param name="responseEnergySft">ΔE_SFT of each response's prompt, when known: gives the reference band's σ.</param>
    public void RecordIteration(string runId, string method, IterationMetrics m, float[] responseEnergyRl,
        double alarmThreshold = HackingAlarm.DefaultThreshold, float[]? responseEnergySft = null)
    {
        var tags = RunTags(runId, method);
        foreach (var energy in responseEnergyRl)
            if (float.IsFinite(energy)) _energyLossRl.Record(energy, tags);

        _energyRlMean.Record(m.EnergyRl, tags);
        _energyRlStd.Record(m.EnergyRlStd, tags);
        _energySft.Record(m.EnergySft, tags);
        if (responseEnergySft is { Length: > 0 }) _energySftStd.Record(Stats.PopulationStd(responseEnergySft), tags);
        _penalty.Record(m.EnergyPenalty, tags);

        _proxyReward.Record(m.ProxyReward, tags);
        _shapedReward.Record(m.ShapedReward, tags);
        if (m.GoldReward is { } gold) _goldReward.Record(gold, tags);

        _kl.Record(m.Kl, tags);
        _klBeta.Record(m.KlBeta, tags);
        _responseLength.Record(m.ResponseLength, tags);
        _policyLoss.Record(m.PolicyLoss, tags);
        _valueLoss.Record(m.ValueLoss, tags);
        _clipFraction.Record(m.ClipFraction, tags);
        _entropy.Record(m.Entropy, tags);

        double[] stageSeconds = [m.GenerateSeconds, m.ScoreSeconds, m.EnergyReferenceSeconds, m.LearnSeconds];
        for (var i = 0; i < Stages.Count; i++)
            _stageSeconds.Record(stageSeconds[i], Append(tags, "stage", Stages[i]));
        _iterationSeconds.Record(m.IterationSeconds, tags);
        _tokensPerSecond.Record(m.RolloutTokensPerSecond, tags);
        _cacheHitRatio.Record(m.EnergyCacheHitRatio, tags);

        _iteration.Record(m.Iteration, tags);
        _policyVersion.Record(m.PolicyVersion, tags);
        _alarmShare.Record(m.HackingAlarmShare, tags);
        _alarmThreshold.Record(alarmThreshold, tags);
        _alarm.Record(HackingAlarm.Raised(m.HackingAlarmShare, alarmThreshold) ? 1 : 0, tags);
    }

    /// <summary>
    /// eppo.run.state: one series per state (label <c>state</c> = the lower-case <see cref="RunState"/> name),
    /// 1 for the current state, 0 for the others, so <c>eppo_run_state{state="failed"} == 1</c> selects failed runs.
    /// </summary>
    public void RecordRunState(string runId, string method, RunState state)
    {
        var tags = RunTags(runId, method);
        foreach (var candidate in Enum.GetValues<RunState>())
            _runState.Record(candidate == state ? 1 : 0, Append(tags, "state", StateLabel(candidate)));
    }

    public static string StateLabel(RunState state) => state.ToString().ToLowerInvariant();

    private static KeyValuePair<string, object?>[] RunTags(string runId, string method)
    {
        RequireLabel(runId, "run id");
        RequireLabel(method, "method");
        return [new("run", runId), new("method", method)];
    }

    private static KeyValuePair<string, object?>[] Append(KeyValuePair<string, object?>[] tags, string key, string value) =>
        [.. tags, new(key, value)];

    // Labels are identifiers (run names are ≤ 64 of [A-Za-z0-9._-]); anything longer is likely text that must not leak.
    private static void RequireLabel(string value, string what)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 128 || value.Any(char.IsControl))
            throw new EppoException($"metrics: {what} '{Truncate(value)}' is not a short identifier (1-128 characters, no control characters)");
    }

    private static string Truncate(string? value) => value is null ? "" : value.Length <= 32 ? value : value[..32] + "…";
}
