using TorchSharp.Modules;
using Eppo.Core.Adapters;

namespace Eppo.Core.Model;

/// <summary>
/// A linear layer of the model, y = x·Wᵀ + b, with "weight" (out, in) and optional "bias" (out) under nn.Linear's
/// state-dict names. A forward pass may add a LoRA adapter's delta for this layer (looked up by the layer's path), and
/// a 16-bit weight computes in its own dtype on a float32 input, returning float32: the residual stream stays fp32.
/// </summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;

    public Projection(long inFeatures, long outFeatures, bool hasBias = true, ScalarType dtype = ScalarType.Float32) : base(nameof(Projection))
    {
        weight = new Parameter(empty(outFeatures, inFeatures, dtype: dtype));
        if (hasBias) bias = new Parameter(empty(outFeatures, dtype: dtype));
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        RegisterComponents();
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }

    /// <summary>The layer's state-dict path in its model ("model.layers.0.self_attn.q_proj"), set once the model is built.</summary>
    public string Path { get; internal set; } = "";

    public Tensor Weight => weight;

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>x (…, in) → (…, out), plus the adapter's delta s·B·A·x when it adapts this layer.</summary>
    public Tensor Forward(Tensor x, LoraAdapter? adapter)
    {
        var y = weight.dtype == x.dtype
            ? nn.functional.linear(x, weight, bias)
            : nn.functional.linear(x.to(weight.dtype), weight, bias).to(x.dtype);
        return adapter is not null && adapter.Layer(Path) is { } layer ? y.Plus(layer.Delta(x)) : y;
    }
}
