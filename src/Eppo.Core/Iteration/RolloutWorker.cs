using Eppo.Contracts;
using Eppo.Core.Adapters;
using Eppo.Core.Checkpoints;
using Eppo.Core.Generation;
using Eppo.Core.Model;
using Eppo.Core.Tasks;
using Eppo.Core.Preparation;

namespace Eppo.Core.Iteration;

/// <summary>
/// Samples responses with log-probs and energy from a policy version. Full fine-tuning: a policy copy of its own, each
/// version's weights loaded into it. Adapters: the process's shared frozen base (the SFT model) plus the version's
/// adapter; version 0 is the base itself (B = 0), and the last two versions' adapters are kept.
/// </summary>
public sealed class RolloutWorker : IDisposable
{
    const int KeptVersions = 2;

    readonly RunSpec spec;
    readonly TaskCodec codec;
    readonly EnergySite site;
    readonly DecoderModel? policy;
    readonly FrozenModel? frozenBase;
    readonly LoraConfig? lora;
    readonly SortedDictionary<int, LoraAdapter> adapters = [];

    RolloutWorker(RunSpec spec, TaskCodec codec, DecoderModel? policy, FrozenModel? frozenBase)
    {
        (this.spec, this.codec, this.policy, this.frozenBase) = (spec, codec, policy, frozenBase);
        site = EnergySites.Parse(spec.ProbeSite);
        if (spec.Model.Adapter is { } adapter) lora = LoraConfig.Of(adapter);
    }

    /// <summary>Full fine-tuning: generates with <paramref name="policy"/>, a copy this worker owns.</summary>
    public RolloutWorker(DecoderModel policy, TaskCodec codec, RunSpec spec) : this(spec, codec, policy, null)
    {
    }

    /// <summary>The worker a run's spec asks for over the SFT model at <paramref name="sftPath"/>.</summary>
    public static RolloutWorker For(string sftPath, TaskCodec codec, RunSpec spec) => spec.Model.Adapter is null
        ? new RolloutWorker(ModelPreparation.LoadSft(sftPath, spec), codec, spec)
        : new RolloutWorker(spec, codec, null, FrozenModels.Acquire(sftPath, WeightDtypes.Of(spec)));

    public int Version { get; private set; }

    /// <summary>
    /// Loads policy version <paramref name="version"/> from its safetensors chunks: all weights, or an adapter's tensors.
    /// A load that fails leaves no version loaded (a policy half-overwritten is never sampled from: the next request reloads).
    /// </summary>
    public void LoadWeights(ChunkedBytes weights, int version)
    {
        var file = SafetensorsFile.FromChunks(weights, $"policy version {version}");
        if (policy is not null)
        {
            Version = -1;
            ModelWeights.Load(policy, file);
        }
        else if (!adapters.ContainsKey(version))
        {
            var adapter = LoraAdapter.ToOverwrite(lora!, frozenBase!.Model);
            try
            {
                ModelWeights.Load(adapter, file);
            }
            catch
            {
                adapter.Dispose();
                throw;
            }
            adapters[version] = adapter;
            while (adapters.Count > KeptVersions)
            {
                var oldest = adapters.Keys.First();
                adapters[oldest].Dispose();
                adapters.Remove(oldest);
            }
        }
        Version = version;
    }

    public GenerationResult Generate(int[][] prompts, long seed)
    {
        var options = GenerationOptions.Sampling(spec.MaxNewTokens, codec.EosId, seed, spec.Temperature, spec.TopK, spec.TopP) with { PadId = codec.PadId };
        var generator = policy is not null
            ? new SequenceGenerator(policy)
            : new SequenceGenerator(frozenBase!.Model, adapters.GetValueOrDefault(Version), site);
        var result = generator.Generate(prompts, options);
        Ppo.Finite.Require(result.MeanEnergy, "policy energy", "generate");
        return result;
    }

    public void Dispose()
    {
        policy?.Dispose();
        foreach (var adapter in adapters.Values) adapter.Dispose();
        adapters.Clear();
        frozenBase?.Dispose();
    }
}
