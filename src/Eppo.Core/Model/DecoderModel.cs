using Eppo.Core.Adapters;
using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace Eppo.Core.Model;

/// <summary>
/// Decoder-only transformer (Llama or GPT-2 layout) with one head: language model, value (critic) or a reward head
/// (scalar, ODIN's two rows, InfoRM's bottleneck). State-dict keys are Hugging Face's: "model.*" / "transformer.*" for
/// the trunk, then "lm_head" | "value_head" | "score".
/// A tied LM head has no weight of its own (it reuses the token embedding), so "lm_head.weight" is then absent.
/// A language model's weights may be stored in 16 bits (a frozen base): its linears compute in that dtype, the residual
/// stream and every head but the LM head stay fp32. A forward pass may add a LoRA adapter (<see cref="LoraAdapter"/>).
/// </summary>
public sealed class DecoderModel : Module
{
    readonly DecoderTrunk trunk;
    readonly Module<Tensor, Tensor>? head;
    bool componentsRegistered;

    /// <param name="rewardLatent">The latent size of an <see cref="HeadKind.InfoReward"/> head (ignored by the others).</param>
    public DecoderModel(ModelConfig config, HeadKind kind = HeadKind.LanguageModel, int seed = 0, double initStd = 0.02, int rewardLatent = 0)
        : this(config, kind, seed, initStd, initialise: true, rewardLatent, ScalarType.Float32)
    {
    }

    /// <summary>
    /// A model whose every weight is about to be loaded: skips the seeded init (a second of work at 124M). A language
    /// model may keep its weights in <paramref name="dtype"/> (16-bit for a frozen base).
    /// </summary>
    public static DecoderModel ToOverwrite(ModelConfig config, HeadKind kind, int rewardLatent = 0, ScalarType dtype = ScalarType.Float32) =>
        new(config, kind, 0, 0, initialise: false, rewardLatent, dtype);

    DecoderModel(ModelConfig config, HeadKind kind, int seed, double initStd, bool initialise, int rewardLatent, ScalarType dtype)
        : base(nameof(DecoderModel))
    {
        Config = config.Validate();
        Kind = kind;
        if (dtype != ScalarType.Float32 && kind != HeadKind.LanguageModel)
            throw new EppoException($"a {kind} model keeps fp32 weights; only a language model's frozen base may be {dtype}");
        WeightDtype = dtype;
        trunk = config.Family == ModelFamily.Llama ? new LlamaTrunk(config, dtype) : new Gpt2Trunk(config, dtype);
        head = kind switch
        {
            HeadKind.LanguageModel => config.TieEmbeddings ? null : new Projection(config.HiddenSize, config.VocabSize, hasBias: false, dtype),
            HeadKind.Value or HeadKind.Reward => Linear(config.HiddenSize, 1, hasBias: false),
            HeadKind.OdinReward => Linear(config.HiddenSize, 2, hasBias: false),
            HeadKind.InfoReward => new InformationBottleneckHead(config.HiddenSize, rewardLatent),
            _ => throw new EppoException($"Unknown head kind {(int)kind}."),
        };
        RewardLatent = kind == HeadKind.InfoReward ? rewardLatent : 0;
        RegisterComponents();
        foreach (var (name, module) in named_modules())
            if (module is Projection projection) projection.Path = name;
        if (initialise) WeightInit.Apply(this, config.Layers, seed, initStd);
    }

    public ModelConfig Config { get; }
    public HeadKind Kind { get; }

    /// <summary>The dtype the trunk's (and an LM head's) weights are stored in.</summary>
    public ScalarType WeightDtype { get; }

    /// <summary>Every linear of the model (blocks and an untied LM head), in state-dict order, with its path.</summary>
    public IEnumerable<Projection> Projections
    {
        get
        {
            var order = state_dict().Keys.Select((key, index) => (key, index)).ToDictionary(p => p.key, p => p.index);
            return modules().OfType<Projection>().OrderBy(p => order[p.Path + ".weight"]);
        }
    }

    /// <summary>The InfoRM head's latent size; 0 for every other head.</summary>
    public int RewardLatent { get; }

    /// <summary>ODIN's head rows on hidden states (…, C) → (…, 2): quality, length.</summary>
    public Tensor OdinScores(Tensor hidden) => Kind == HeadKind.OdinReward
        ? head!.forward(hidden)
        : throw new EppoException($"ODIN scores need an {HeadKind.OdinReward} head, the model has a {Kind} head.");

    /// <summary>ODIN's head weight (2, C): row 0 quality, row 1 length.</summary>
    public Tensor OdinHeadWeight => Kind == HeadKind.OdinReward
        ? ((Linear)head!).weight!
        : throw new EppoException($"ODIN's head weight needs an {HeadKind.OdinReward} head, the model has a {Kind} head.");

    /// <summary>InfoRM's bottleneck head.</summary>
    public InformationBottleneckHead Bottleneck => head as InformationBottleneckHead
        ?? throw new EppoException($"an information bottleneck needs an {HeadKind.InfoReward} head, the model has a {Kind} head.");

    /// <summary>
    /// Whether forward passes measure the final-layer energy (default). Off skips the probe's reductions and returns
    /// zeros as <see cref="DecoderOutput.Energy"/>: for benchmarks, and for passes that never read it.
    /// </summary>
    public bool ProbeEnergy { get; set; } = true;

    /// <summary>Where the parameters live; inputs must be on it.</summary>
    public Device ParameterDevice => trunk.TokenEmbeddingWeight.device;

    /// <summary>
    /// inputIds, positions (B, T) int64; attentionMask (B, cached + T) with 1 = real, 0 = pad (left padding needs
    /// per-row positions, see <see cref="Positions.FromMask"/>). With a cache, the new keys/values are appended to it.
    /// </summary>
    /// <param name="adapter">A LoRA adapter whose deltas the linears add; null = the model as stored.</param>
    /// <param name="site">Where to read the energy; null = the config's <see cref="ModelConfig.ProbeSite"/> (a shared base serves callers with different sites).</param>
    public DecoderOutput Forward(Tensor inputIds, Tensor positions, Tensor attentionMask, KvCache? cache = null, LoraAdapter? adapter = null, EnergySite? site = null)
    {
        using var scope = NewDisposeScope();
        var (hidden, energy) = Trunk(inputIds, positions, attentionMask, cache, adapter, site);
        var output = new DecoderOutput(hidden, ApplyHead(hidden), energy);
        scope.MoveToOuter(output.Hidden, output.Head, output.Energy);
        return output;
    }

    /// <summary>The trunk alone: normed hidden states (B, T, C) and the energy (B, T), no head (a critic's own head reads them).</summary>
    public (Tensor Hidden, Tensor Energy) Trunk(Tensor inputIds, Tensor positions, Tensor attentionMask, KvCache? cache = null, LoraAdapter? adapter = null, EnergySite? site = null)
    {
        CheckShapes(inputIds, positions, attentionMask, cache);
        return trunk.Forward(inputIds, positions, attentionMask, cache, ProbeEnergy ? site ?? Config.ProbeSite : null, adapter);
    }

    /// <summary>Forward that also returns the residual stream into each block and out of the last (tests, diagnostics).</summary>
    internal (DecoderOutput Output, List<Tensor> Residuals) ForwardWithResiduals(Tensor inputIds, Tensor positions, Tensor attentionMask)
    {
        CheckShapes(inputIds, positions, attentionMask, null);
        using var scope = NewDisposeScope();
        var residuals = new List<Tensor>();
        var (hidden, energy) = trunk.Forward(inputIds, positions, attentionMask, null, ProbeEnergy ? Config.ProbeSite : null, null, residuals);
        var output = new DecoderOutput(hidden, ApplyHead(hidden), energy);
        scope.MoveToOuter([output.Hidden, output.Head, output.Energy, .. residuals]);
        return (output, residuals);
    }

    Tensor ApplyHead(Tensor hidden) => Kind switch // (B, T, C) →
    {
        HeadKind.LanguageModel => head is null
            ? TiedHead(hidden)                                       // tied: (B, T, V)
            : head.forward(hidden),                                  // (B, T, V)
        HeadKind.OdinReward => head!.forward(hidden).select(-1, 0),  // (B, T): the quality row
        HeadKind.InfoReward => head!.forward(hidden),                // (B, T): decoded from μ
        _ => head!.forward(hidden).squeeze(-1),                      // (B, T)
    };

    Tensor TiedHead(Tensor hidden)
    {
        var embedding = trunk.TokenEmbeddingWeight;
        return embedding.dtype == hidden.dtype
            ? functional.linear(hidden, embedding)
            : functional.linear(hidden.to(embedding.dtype), embedding).to(hidden.dtype);
    }

    void CheckShapes(Tensor inputIds, Tensor positions, Tensor attentionMask, KvCache? cache)
    {
        if (inputIds.dim() != 2) throw new EppoException($"inputIds must be (B, T), got rank {inputIds.dim()}.");
        if (!positions.shape.SequenceEqual(inputIds.shape))
            throw new EppoException($"positions shape [{string.Join(", ", positions.shape)}] differs from inputIds [{string.Join(", ", inputIds.shape)}].");
        var cached = cache?.Length ?? 0;
        if (attentionMask.dim() != 2 || attentionMask.shape[0] != inputIds.shape[0] || attentionMask.shape[1] != cached + inputIds.shape[1])
            throw new EppoException(
                $"attentionMask must be (B, cached + T) = ({inputIds.shape[0]}, {cached + inputIds.shape[1]}), got [{string.Join(", ", attentionMask.shape)}].");
        if (cached + inputIds.shape[1] > Config.MaxPositions)
            throw new EppoException($"Sequence length {cached + inputIds.shape[1]} exceeds MaxPositions ({Config.MaxPositions}).");
        if (cache is not null && cache.BatchSize != inputIds.shape[0])
            throw new EppoException($"KV cache batch size {cache.BatchSize} differs from the input's {inputIds.shape[0]}.");
    }

    /// <summary>Trunk and head under their Hugging Face names, which depend on family and head kind.</summary>
    protected override void RegisterComponents()
    {
        if (componentsRegistered) return;
        register_module(Config.Family == ModelFamily.Llama ? "model" : "transformer", trunk);
        if (head is not null) register_module(HeadName(Kind), head);
        componentsRegistered = true;
    }

    static string HeadName(HeadKind kind) => kind switch
    {
        HeadKind.LanguageModel => "lm_head",
        HeadKind.Value => "value_head",
        _ => "score",
    };
}
