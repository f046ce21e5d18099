using Eppo.Core.Adapters;

namespace Eppo.Core.Model;

/// <summary>SwiGLU MLP: down_proj(SiLU(gate_proj(x)) · up_proj(x)), no biases.</summary>
internal sealed class LlamaMlp : nn.Module
{
    readonly Projection gate_proj, up_proj, down_proj;

    public LlamaMlp(ModelConfig config, ScalarType dtype) : base(nameof(LlamaMlp))
    {
        gate_proj = new Projection(config.HiddenSize, config.IntermediateSize, hasBias: false, dtype);
        up_proj = new Projection(config.HiddenSize, config.IntermediateSize, hasBias: false, dtype);
        down_proj = new Projection(config.IntermediateSize, config.HiddenSize, hasBias: false, dtype);
        RegisterComponents();
    }

    /// <summary>x (B, T, C) normed → (B, T, C), and the energy (B, T) at an MLP probe site ((B, T, 3) for <see cref="EnergySite.MlpOutputs"/>).</summary>
    public (Tensor Output, Tensor? Energy) Forward(Tensor x, EnergySite? probe, LoraAdapter? adapter)
    {
        using var scope = NewDisposeScope();
        var gate = gate_proj.Forward(x, adapter);         // (B, T, I)
        var up = up_proj.Forward(x, adapter);             // (B, T, I)
        var inner = nn.functional.silu(gate) * up;        // (B, T, I)
        var output = down_proj.Forward(inner, adapter);   // (B, T, C)
        var energy = probe switch
        {
            EnergySite.Mlp => Energy.Loss(x, output),
            EnergySite.DownProj => Energy.Loss(inner, output),
            EnergySite.MlpLinears => Energy.Loss(x, gate).Plus(Energy.Loss(x, up)).Plus(Energy.Loss(inner, output)),
            EnergySite.MlpOutputs => Energy.Outputs(gate, up, output),
            _ => null,
        };
        return (output.MoveToOuterDisposeScope(), energy?.MoveToOuterDisposeScope());
    }
}
