using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace Eppo.Core.Model;

/// <summary>SwiGLU MLP: down_proj(SiLU(gate_proj(x)) · up_proj(x)), no biases.</summary>
internal sealed class LlamaMlp : Module
{
    readonly Linear gate_proj, up_proj, down_proj;

    public LlamaMlp(ModelConfig config) : base(nameof(LlamaMlp))
    {
        gate_proj = Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        up_proj = Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        down_proj = Linear(config.IntermediateSize, config.HiddenSize, hasBias: false);
        RegisterComponents();
    }

    /// <summary>x (B, T, C) normed → (B, T, C), and the energy (B, T) at an MLP probe site ((B, T, 3) for <see cref="EnergySite.MlpOutputs"/>).</summary>
    public (Tensor Output, Tensor? Energy) Forward(Tensor x, EnergySite? probe)
    {
        using var scope = NewDisposeScope();
        var gate = gate_proj.forward(x);                  // (B, T, I)
        var up = up_proj.forward(x);                      // (B, T, I)
        var inner = functional.silu(gate) * up;           // (B, T, I)
        var output = down_proj.forward(inner);            // (B, T, C)
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
