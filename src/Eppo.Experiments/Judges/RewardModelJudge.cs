using Eppo.Core;
using Eppo.Core.Tasks;
using Eppo.Core.Training;

namespace Eppo.Experiments.Judges;

/// <summary>
/// A judge reward model (Gao et al. 2022; Coste et al. 2024 on real data): one trained on a split of the preference
/// data the proxy never saw. The policy wins when the judge scores its response more than <paramref name="margin"/>
/// (in the judge's standardised units) above the baseline's, loses when more than that below, ties otherwise.
/// </summary>
public sealed class RewardModelJudge(RewardModelScorer judge, TaskCodec codec, double margin = 0.1) : IPairJudge
{
    public string Name => "reward-model";

    public void Dispose() => judge.Dispose();

    public async Task<JudgeOutcome> JudgeAsync(string prompt, string policy, string baseline, CancellationToken cancellation)
    {
        var encoded = codec.EncodePrompt(prompt);
        var scores = await ComputeThreads.RunAsync(() => judge.Score([encoded, encoded], [codec.EncodeResponse(policy), codec.EncodeResponse(baseline)]));
        var difference = scores[0] - scores[1];
        return difference > margin ? JudgeOutcome.Win : difference < -margin ? JudgeOutcome.Lose : JudgeOutcome.Tie;
    }
}
