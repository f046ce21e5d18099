using Eppo.Core.Tasks;
using Eppo.Core.Model;
using Eppo.Core.Ppo;
using Eppo.Core.Preparation;

namespace Eppo.Core.Iteration;

/// <summary>
/// The proxy RM's score at the response's last token, standardised with the SFT-sample statistics. Owns its model, or
/// holds a lease on the silo's shared copy (<see cref="FrozenModels"/>: scorers of one member share it).
/// </summary>
public sealed class RewardModelScorer(DecoderModel model, IDisposable owner, TaskCodec codec, RewardNormalization normalization) : IRewardFunction, IDisposable
{
    public RewardModelScorer(DecoderModel model, TaskCodec codec, RewardNormalization normalization) : this(model, model, codec, normalization)
    {
    }

    public RewardModelScorer(FrozenModel shared, TaskCodec codec, RewardNormalization normalization) : this(shared.Model, shared, codec, normalization)
    {
    }

    public void Dispose() => owner.Dispose();

    public float[] Score(int[][] prompts, int[][] responses)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var raw = TeacherForcing.Rewards(model, SequenceBatch.Build(prompts, responses, codec.EosId, codec.PadId)).cpu().data<float>().ToArray();
        var scores = raw.Select(normalization.Apply).ToArray();
        Finite.Require(scores, "reward", "score");
        return scores;
    }
}
