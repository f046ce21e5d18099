using TorchSharp.Modules;

namespace Eppo.Core.Model;

/// <summary>GPT-2's LayerNorm on the fp32 residual stream, whatever dtype its weights are stored in.</summary>
internal static class Norms
{
    public static Tensor Apply(LayerNorm norm, Tensor x)
    {
        if (norm.weight!.dtype == x.dtype) return norm.forward(x);
        using var scope = NewDisposeScope();
        return nn.functional.layer_norm(x, [x.shape[^1]], norm.weight.to(x.dtype), norm.bias?.to(x.dtype), norm.eps)
            .MoveToOuterDisposeScope();
    }
}
