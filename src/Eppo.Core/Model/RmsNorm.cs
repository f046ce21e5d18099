using TorchSharp.Modules;

namespace Eppo.Core.Model;

/// <summary>RMSNorm as in Llama: x · rsqrt(mean(x²) + eps) · weight, no bias.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly double eps;

    public RmsNorm(long size, double eps, ScalarType dtype = ScalarType.Float32) : base(nameof(RmsNorm))
    {
        weight = new Parameter(ones(size, dtype: dtype));
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (B, T, C) → (B, T, C)
    {
        using var scope = NewDisposeScope();
        var normed = x * rsqrt(x.Squared().mean([-1L], keepdim: true).Plus(eps));
        // A 16-bit weight is widened: the residual stream is fp32.
        return (normed * (weight.dtype == x.dtype ? weight : weight.to(x.dtype))).MoveToOuterDisposeScope();
    }
}
