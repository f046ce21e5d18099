namespace Eppo.Core.Model;

/// <summary>
/// One forward pass. Hidden: final-normed hidden state (B, T, C). Head: logits (B, T, V) for a language model,
/// values (B, T) for a critic, scores (B, T) for a reward model. Energy: final-layer energy loss per token (B, T)
/// at the config's probe site (position t = the pass where token t is the input).
/// </summary>
public sealed record DecoderOutput(Tensor Hidden, Tensor Head, Tensor Energy);
