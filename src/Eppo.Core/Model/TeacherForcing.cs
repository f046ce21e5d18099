namespace Eppo.Core.Model;

/// <summary>Teacher-forced scoring of given responses (PPO learner, reference model, critic, reward model).</summary>
public static class TeacherForcing
{
    /// <summary>
    /// Language model (with <paramref name="adapter"/> added, if any): log-probs, entropy and energy (at
    /// <paramref name="site"/>, default the model's) of the response tokens, and their entropy unless
    /// <paramref name="entropy"/> is false; gradients flow if enabled.
    /// </summary>
    public static ResponseScores Score(DecoderModel model, SequenceBatch batch, Adapters.LoraAdapter? adapter = null, EnergySite? site = null, bool entropy = true)
    {
        Require(model, HeadKind.LanguageModel);
        using var scope = NewDisposeScope();
        var output = model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask, adapter: adapter, site: site);
        var (p, r) = (batch.PromptLength, batch.ResponseLength);
        var logits = output.Head.narrow(1, p - 1, r);                                   // (B, R, V): predicts token j
        var logProbsAll = logits.log_softmax(-1);                                        // (B, R, V)
        var logProbs = logProbsAll.gather(-1, batch.ResponseTokens.unsqueeze(-1)).squeeze(-1); // (B, R)
        var entropies = entropy ? -(logProbsAll.exp() * logProbsAll).sum(-1) : null;    // (B, R)
        var energy = output.Energy.narrow(1, p, r);                                       // (B, R): token j as input
        var meanEnergy = Energy.MaskedMean(energy, batch.ResponseMask);                   // (B)
        var scores = new ResponseScores(logProbs, entropies, energy, meanEnergy);
        scope.MoveToOuter([logProbs, energy, meanEnergy, .. entropies is null ? Array.Empty<Tensor>() : [entropies]]);
        return scores;
    }

    /// <summary>Critic: value (B, R) of the state before each response token (column PromptLength − 1 + j).</summary>
    public static Tensor Values(DecoderModel model, SequenceBatch batch)
    {
        Require(model, HeadKind.Value);
        using var scope = NewDisposeScope();
        var output = model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask);
        return output.Head.narrow(1, batch.PromptLength - 1, batch.ResponseLength).MoveToOuterDisposeScope();
    }

    /// <summary>Reward model of any kind: score (B) read at each row's last real token.</summary>
    public static Tensor Rewards(DecoderModel model, SequenceBatch batch)
    {
        if (!model.Kind.IsReward()) throw new EppoException($"TeacherForcing needs a reward head, the model has a {model.Kind} head.");
        using var scope = NewDisposeScope();
        var output = model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask);
        return output.Head.gather(1, LastReal(batch)).squeeze(-1).MoveToOuterDisposeScope(); // (B)
    }

    /// <summary>Reward model: the final-normed hidden state (B, C) at each row's last real token, where its head reads.</summary>
    public static Tensor LastHidden(DecoderModel model, SequenceBatch batch)
    {
        if (!model.Kind.IsReward()) throw new EppoException($"TeacherForcing needs a reward head, the model has a {model.Kind} head.");
        using var scope = NewDisposeScope();
        var output = model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask);
        var last = LastReal(batch).unsqueeze(-1).expand(-1, 1, output.Hidden.shape[2]);  // (B, 1, C)
        return output.Hidden.gather(1, last).squeeze(1).MoveToOuterDisposeScope();       // (B, C)
    }

    /// <summary>(B, 1) int64: each row's last real column.</summary>
    static Tensor LastReal(SequenceBatch batch)
    {
        var columns = ScalarSafe.Arange(0, batch.Tokens.shape[1], batch.Tokens.device);
        return (batch.AttentionMask * columns).argmax(-1, keepdim: true);
    }

    static void Require(DecoderModel model, HeadKind kind)
    {
        if (model.Kind != kind) throw new EppoException($"TeacherForcing needs a {kind} head, the model has a {model.Kind} head.");
    }
}
