namespace Eppo.Core.Model;

/// <summary>
/// Per-response-token quantities from ONE forward pass over a <see cref="SequenceBatch"/>, all (B, R):
/// LogProbs of the response tokens (plain log-softmax of the logits, temperature 1), Entropy of the next-token
/// distribution (when asked for: it costs a pass over B × R × V), Energy of each token (measured at the column where that token is the input), and MeanEnergy (B),
/// the masked mean of Energy over ResponseMask.
/// </summary>
public sealed record ResponseScores(Tensor LogProbs, Tensor? Entropy, Tensor Energy, Tensor MeanEnergy);
