using Eppo.Core.Model;

namespace Eppo.Core.Adapters;

/// <summary>
/// One LoRA adapter over a base model: a <see cref="LoraLayer"/> per targeted linear, held in a module tree that mirrors
/// the base's paths, so the state-dict keys read as PEFT's without its "base_model.model." prefix
/// ("model.layers.0.self_attn.q_proj.lora_A.weight"). The base is never changed: a forward pass of the base given this
/// adapter adds each layer's delta; the same base serves other adapters, or none (the SFT policy).
/// </summary>
public sealed class LoraAdapter : nn.Module
{
    readonly Dictionary<string, LoraLayer> layers = [];

    /// <summary>An adapter for <paramref name="baseModel"/> with B = 0 (so it starts as the base) and A seeded.</summary>
    public LoraAdapter(LoraConfig config, DecoderModel baseModel, int seed) : this(config, baseModel)
    {
        Initialize(seed);
    }

    LoraAdapter(LoraConfig config, DecoderModel baseModel) : base(nameof(LoraAdapter))
    {
        Config = config.Validate();
        var root = new Node(this);
        foreach (var target in config.Targets.Resolve(baseModel))
        {
            var layer = new LoraLayer(target.InFeatures, target.OutFeatures, config.Rank, config.Scale);
            root.Add(target.Path, layer);
            layers[target.Path] = layer;
        }
    }

    /// <summary>An adapter of the right shape whose every tensor is about to be loaded: no init.</summary>
    public static LoraAdapter ToOverwrite(LoraConfig config, DecoderModel baseModel) => new(config, baseModel);

    public LoraConfig Config { get; }

    /// <summary>The adapted layers' paths, in model order.</summary>
    public IReadOnlyCollection<string> Paths => layers.Keys;

    public LoraLayer? Layer(string path) => layers.GetValueOrDefault(path);

    /// <summary>A ~ U(−1/√in, 1/√in) (PEFT's Kaiming-uniform with a = √5), B = 0, drawn in path order from one seeded generator on the adapter's device.</summary>
    public void Initialize(int seed)
    {
        using var noGrad = no_grad();
        using var generator = SeededInit.Generator(seed, layers.Values.First().A.device);
        foreach (var layer in layers.Values)
        {
            var bound = 1.0 / Math.Sqrt(layer.A.shape[1]);
            SeededInit.Uniform(layer.A, -bound, bound, generator);
            layer.B.zero_();
        }
    }

    /// <summary>A plain module node: lets the adapter register children under the base's path segments.</summary>
    sealed class Node(nn.Module owner)
    {
        readonly Dictionary<string, Node> children = [];

        public void Add(string path, nn.Module leaf)
        {
            var dot = path.IndexOf('.');
            if (dot < 0)
            {
                owner.register_module(path, leaf);
                return;
            }
            var head = path[..dot];
            if (!children.TryGetValue(head, out var child))
            {
                var module = new Segment(head);
                owner.register_module(head, module);
                children[head] = child = new Node(module);
            }
            child.Add(path[(dot + 1)..], leaf);
        }
    }

    sealed class Segment(string name) : nn.Module(name);
}
