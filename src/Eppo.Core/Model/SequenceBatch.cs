namespace Eppo.Core.Model;

/// <summary>
/// Prompt + response pairs as one batch. Layout: prompts left-padded to PromptLength, responses right-padded to
/// ResponseLength, so response token j of every row sits at column PromptLength + j (the layout generation produces).
/// Tokens, AttentionMask, Positions: (B, T) int64 with T = PromptLength + ResponseLength.
/// ResponseMask (B, R) float: 1 on response tokens, EOS and pad excluded (energy is averaged over these).
/// ActionMask (B, R) float: 1 on every generated token, EOS included (log-probs, KL and policy loss use these).
/// Tensors belong to the caller's dispose scope.
/// </summary>
public sealed record SequenceBatch(
    Tensor Tokens,
    Tensor AttentionMask,
    Tensor Positions,
    Tensor ResponseMask,
    Tensor ActionMask,
    int PromptLength,
    int ResponseLength)
{
    public int BatchSize => (int)Tokens.shape[0];

    /// <summary>Response token ids (B, R), pad where a row's response is shorter.</summary>
    public Tensor ResponseTokens => Tokens.narrow(1, PromptLength, ResponseLength);

    /// <param name="eosId">End-of-sequence id, excluded from ResponseMask; negative when there is none.</param>
    /// <param name="padId">Id written into pad slots (masked out everywhere).</param>
    public static SequenceBatch Build(int[][] prompts, int[][] responses, int eosId, int padId = 0, Device? device = null)
    {
        if (prompts.Length == 0) throw new EppoException("SequenceBatch: prompts is empty.");
        if (responses.Length != prompts.Length)
            throw new EppoException($"SequenceBatch: {prompts.Length} prompts but {responses.Length} responses.");
        for (var b = 0; b < prompts.Length; b++)
            if (prompts[b] is null || prompts[b].Length == 0)
                throw new EppoException($"SequenceBatch: prompt {b} is empty; the first response token needs a prompt token before it.");

        var batch = prompts.Length;
        var promptLength = prompts.Max(p => p.Length);
        var responseLength = responses.Max(r => r?.Length ?? 0);
        var width = promptLength + responseLength;
        var tokens = new long[batch * width];
        var mask = new long[batch * width];
        var responseMask = new float[batch * responseLength];
        var actionMask = new float[batch * responseLength];
        Array.Fill(tokens, padId);
        for (var b = 0; b < batch; b++)
        {
            var prompt = prompts[b];
            var response = responses[b] ?? [];
            var start = b * width + promptLength - prompt.Length;
            for (var t = 0; t < prompt.Length; t++) (tokens[start + t], mask[start + t]) = (prompt[t], 1);
            for (var j = 0; j < response.Length; j++)
            {
                var column = b * width + promptLength + j;
                (tokens[column], mask[column]) = (response[j], 1);
                actionMask[b * responseLength + j] = 1;
                responseMask[b * responseLength + j] = response[j] == eosId ? 0 : 1;
            }
        }

        var attentionMask = tensor(mask, [batch, width], device: device);
        return new SequenceBatch(
            tensor(tokens, [batch, width], device: device),
            attentionMask,
            Eppo.Core.Model.Positions.FromMask(attentionMask),
            tensor(responseMask, [batch, responseLength], device: device),
            tensor(actionMask, [batch, responseLength], device: device),
            promptLength,
            responseLength);
    }
}
