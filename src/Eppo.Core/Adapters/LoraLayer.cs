using TorchSharp.Modules;

namespace Eppo.Core.Adapters;

/// <summary>
/// The low-rank pair of one adapted linear, under PEFT's names: lora_A (r, in) and lora_B (out, r), both fp32 linears
/// without bias. Delta(x) = s·B·A·x in x's dtype-free fp32 (PEFT casts x to lora_A's dtype).
/// </summary>
public sealed class LoraLayer : nn.Module<Tensor, Tensor>
{
    readonly Linear lora_A, lora_B;
    readonly double scale;

    public LoraLayer(long inFeatures, long outFeatures, int rank, double scale) : base(nameof(LoraLayer))
    {
        lora_A = nn.Linear(inFeatures, rank, hasBias: false);
        lora_B = nn.Linear(rank, outFeatures, hasBias: false);
        this.scale = scale;
        RegisterComponents();
    }

    public Tensor A => lora_A.weight!;
    public Tensor B => lora_B.weight!;

    public override Tensor forward(Tensor x) => Delta(x);

    /// <summary>x (…, in) → s·B·A·x (…, out), in x's dtype.</summary>
    public Tensor Delta(Tensor x)
    {
        using var scope = NewDisposeScope();
        var input = x.dtype == A.dtype ? x : x.to(A.dtype);
        var delta = lora_B.forward(lora_A.forward(input)).Times(scale);
        return (delta.dtype == x.dtype ? delta : delta.to(x.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>s·B·A (out, in): what merging adds to the base weight.</summary>
    public Tensor MergedDelta()
    {
        using var scope = NewDisposeScope();
        return B.matmul(A).Times(scale).MoveToOuterDisposeScope();
    }
}
