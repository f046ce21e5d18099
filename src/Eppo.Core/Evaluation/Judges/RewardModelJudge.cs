using Eppo.Core.Tasks;
using Eppo.Core.Iteration;

namespace Eppo.Core.Evaluation.Judges;

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
        return WinTieLose.Outcome(scores[0] - scores[1], margin);
    }
}
