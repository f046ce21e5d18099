using Eppo.Core.Adapters;

namespace Eppo.Core.Model;

/// <summary>GPT-2 MLP: c_proj(GELU_tanh(c_fc(x))), with biases ("gelu_new"; Conv1D in HF, see Gpt2Attention).</summary>
internal sealed class Gpt2Mlp : nn.Module
{
    readonly Projection c_fc, c_proj;

    public Gpt2Mlp(ModelConfig config, ScalarType dtype) : base(nameof(Gpt2Mlp))
    {
        c_fc = new Projection(config.HiddenSize, config.IntermediateSize, hasBias: true, dtype);
        c_proj = new Projection(config.IntermediateSize, config.HiddenSize, hasBias: true, dtype);
        RegisterComponents();
    }

    /// <summary>x (B, T, C) normed → (B, T, C), and the energy (B, T) at an MLP probe site ((B, T, 2) for <see cref="EnergySite.MlpOutputs"/>).</summary>
    public (Tensor Output, Tensor? Energy) Forward(Tensor x, EnergySite? probe, LoraAdapter? adapter)
    {
        using var scope = NewDisposeScope();
        var hidden = c_fc.Forward(x, adapter);                                   // (B, T, I)
        var inner = nn.functional.gelu(hidden, TorchSharp.Modules.GELU.Approximate.tanh);// (B, T, I)
        var output = c_proj.Forward(inner, adapter);                             // (B, T, C)
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
