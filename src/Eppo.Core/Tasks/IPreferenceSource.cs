using Eppo.Core.Model;

namespace Eppo.Core.Tasks;

/// <summary>How many preference pairs to build, and the seed that fixes which.</summary>
public sealed record PreferenceRequest(int Pairs, int ResponsesPerPrompt, int Seed, int MaxNewTokens, int HeldOutPairs = 3000);

/// <summary>
/// A task's preference data for Bradley–Terry reward models: training groups (a prompt, its responses, labelled
/// pairs among them) and held-out pairs whose chosen response is truly better (ties dropped).
/// </summary>
public interface IPreferenceSource
{
    /// <param name="sft">The SFT policy, for tasks whose pairs are the policy's own samples labelled by an annotator.</param>
    PreferenceData Build(DecoderModel sft, TaskCodec codec, PreferenceRequest request, Action<string>? progress);
}

/// <param name="TrainAgreementWithGold">Share of training labels that agree with the gold judge (NaN when the task has none).</param>
/// <param name="AnnotatorHeldOutAccuracy">Held-out accuracy of the annotator itself without label noise (NaN when unknown).</param>
public sealed record PreferenceData(IReadOnlyList<PreferenceGroup> Train, IReadOnlyList<HeldOutPair> HeldOut,
    double TrainAgreementWithGold, double AnnotatorHeldOutAccuracy);

/// <summary>One prompt's responses and its labelled pairs as (chosen, rejected) indices into <see cref="Responses"/>.</summary>
public sealed record PreferenceGroup(string Prompt, IReadOnlyList<string> Responses, IReadOnlyList<(int Chosen, int Rejected)> Pairs);

/// <summary>A held-out comparison: <see cref="Chosen"/> is the better response to <see cref="Prompt"/>.</summary>
public sealed record HeldOutPair(string Prompt, string Chosen, string Rejected);
