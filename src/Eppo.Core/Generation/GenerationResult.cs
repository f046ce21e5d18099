namespace Eppo.Core.Generation;

/// <summary>
/// Generated responses as plain arrays, one entry per prompt, each inner array as long as that row's response.
/// Responses: token ids, no padding, EOS included when produced.
/// LogProbs: log-probability of each sampled token under the model's plain log-softmax (temperature 1, no top-k/top-p),
///   i.e. what the teacher-forced policy gives it; not the sampling distribution's.
/// Energies: final-layer energy loss of each token, measured at the step where it was the input (0 for EOS).
/// ResponseMask: 1 on response tokens, 0 on EOS. MeanEnergy: masked mean of Energies (0 for an EOS-only response).
/// </summary>
public sealed record GenerationResult(
    int[][] Responses,
    float[][] LogProbs,
    float[][] Energies,
    float[][] ResponseMask,
    float[] MeanEnergy);
