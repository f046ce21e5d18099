using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace Eppo.Core.Model;

/// <summary>GPT-2 MLP: c_proj(GELU_tanh(c_fc(x))), with biases ("gelu_new"; Conv1D in HF, see Gpt2Attention).</summary>
internal sealed class Gpt2Mlp : Module
{
    readonly Linear c_fc, c_proj;

    public Gpt2Mlp(ModelConfig config) : base(nameof(Gpt2Mlp))
    {
        c_fc = Linear(config.HiddenSize, config.IntermediateSize);
        c_proj = Linear(config.IntermediateSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>x (B, T, C) normed → (B, T, C), and the energy (B, T) at an MLP probe site ((B, T, 2) for <see cref="EnergySite.MlpOutputs"/>).</summary>
    public (Tensor Output, Tensor? Energy) Forward(Tensor x, EnergySite? probe)
    {
        using var scope = NewDisposeScope();
        var hidden = c_fc.forward(x);                                            // (B, T, I)
        var inner = functional.gelu(hidden, TorchSharp.Modules.GELU.Approximate.tanh);// (B, T, I)
        var output = c_proj.forward(inner);                                      // (B, T, C)
        var energy = probe switch
        {
            EnergySite.Mlp => Energy.Loss(x, output),
            EnergySite.DownProj => Energy.Loss(inner, output),
            EnergySite.MlpLinears => Energy.Loss(x, hidden).Plus(Energy.Loss(inner, output)),
            EnergySite.MlpOutputs => Energy.Outputs(hidden, output),
            _ => null,
        };
        return (output.MoveToOuterDisposeScope(), energy?.MoveToOuterDisposeScope());
    }
}
