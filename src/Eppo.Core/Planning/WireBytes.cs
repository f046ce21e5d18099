using Eppo.Core.Checkpoints;
using Eppo.Core.Model;

namespace Eppo.Core.Planning;

/// <summary>
/// Bytes through Orleans per iteration. Each generator fetches the new policy version once: the whole fp32 policy's
/// safetensors file, or with LoRA the adapter's alone (exact sizes: the header is counted as the writer writes it).
/// Token ids and scores are counted at 4 bytes each, at full prompt and response lengths, per leg of the iteration:
/// rollouts (prompt shards and generators), scoring (every reward model's scorers), the energy reference, and the
/// experience the learner receives. Message framing is not counted.
/// </summary>
public sealed record WireBytes(long WholePolicy, long? Adapter, long PolicyToGenerators, long Rollouts, long Scoring, long EnergyReference, long Experience)
{
    /// <summary>One policy version as a generator receives it.</summary>
    public long PolicyVersion => Adapter ?? WholePolicy;

    public long TokensAndScores => Rollouts + Scoring + EnergyReference + Experience;

    public long Total => PolicyToGenerators + TokensAndScores;

    public static WireBytes Of(ModelConfig config, PlanRun run)
    {
        var whole = File(ModelTensors.Of(config, HeadKind.LanguageModel));
        long? adapter = run.Lora is null ? null : File(ModelTensors.Adapter(config, run.Lora));
        long b = run.BatchSize, p = run.PromptTokens, r = run.NewTokens, t = run.Tokens, members = run.RewardModels;
        var rollouts = b * p                                   // prompt shards → driver
                       + b * p + b * r + b;                    // driver → generators: prompts; back: responses, ΔE_RL
        var scoring = members * (b * t + b)                    // each reward model's scorers: prompt + response; back: scores
                      + (run.ScoresReferenceAnswers ? members * (b * t + b) : 0);   // PAR scores the SFT answers too
        var energy = b * p + b + b * r;                        // energy reference: prompts; back: ΔE_SFT and the SFT answers
        var experience = b * t + 3 * b                         // learner: prompts, responses, r, ΔE_RL, ΔE_SFT
                         + (run.ReferenceAnswers ? b * r : 0)  // the official energy definition sends the SFT answers too
                         + (run.ScoresReferenceAnswers ? b : 0);   // PAR's r_ref
        return new WireBytes(whole, adapter, run.Generators * (adapter ?? whole), 4 * rollouts, 4 * scoring, 4 * energy, 4 * experience);
    }

    static long File(IEnumerable<TensorShape> tensors) => SafetensorsWriter.FileBytes(tensors.Select(x => (x.Name, x.Dtype, x.Shape)));
}
