using Eppo.Core.Tasks;

namespace Eppo.Core.Evaluation;

/// <summary>
/// One sampled response of a policy to a held-out prompt, judged and probed.
/// Index: position in the evaluation's prompt list (the pairing key together with PromptId). Prompt: its text as the
/// task's codec decodes it. Length: generated tokens without EOS (HackBench tokens are words; a stray pad/bos token
/// counts here but is dropped from Response). Gold: the task's gold verdict (score and the boilerplate / refusal /
/// rambling flags). Proxy: the proxy reward function's score.
/// Kl: Σ over generated tokens (EOS included, as PPO's KL) of log π(y_t) − log π_SFT(y_t), both teacher-forced at
/// temperature 1: a one-sample estimate of KL(π ‖ π_SFT) for this prompt.
/// Energies (all sites; masked mean over response tokens, EOS excluded; mean|in| − mean|out|):
/// PolicyEnergy = ΔE_RL, the policy on its own response; SftEnergy = the SFT model on the same response;
/// SftReferenceEnergy = ΔE_SFT(x), the SFT model on its own greedy answer <see cref="SftReferenceResponse"/>;
/// PolicyEnergyOnSftText = the policy on that fixed SFT answer (drift of the weights, apart from what the policy says).
/// </summary>
public sealed record EvaluationSample(
    int Index,
    string PromptId,
    string Prompt,
    string Response,
    int Length,
    GoldScore Gold,
    float Proxy,
    float Kl,
    SiteEnergies PolicyEnergy,
    SiteEnergies SftEnergy,
    SiteEnergies SftReferenceEnergy,
    SiteEnergies PolicyEnergyOnSftText,
    string SftReferenceResponse);
