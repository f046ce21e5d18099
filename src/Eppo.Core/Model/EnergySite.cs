namespace Eppo.Core.Model;

/// <summary>
/// Where the final decoder layer's energy loss E_t = mean_d|in_t| − mean_d|out_t| is measured.
/// </summary>
public enum EnergySite
{
    /// <summary>Input vs output of the final decoder block (residual stream), the paper's wording.</summary>
    Block,

    /// <summary>Input of the final MLP (after its pre-norm) vs its output (before the residual add).</summary>
    Mlp,

    /// <summary>down_proj (GPT-2: mlp.c_proj) input vs output; the official analysis code.</summary>
    DownProj,

    /// <summary>Sum over gate/up/down_proj (GPT-2: c_fc, c_proj) of mean|in| − mean|out|; official training default.</summary>
    MlpLinears,

    /// <summary>
    /// The official Llama training path's energies: the OUTPUT energy mean_d|y| of each linear of the final MLP
    /// (gate_proj, up_proj, down_proj; GPT-2: c_fc, c_proj), one channel each: (B, T, M). Not a probe site of the run
    /// spec (ΔE_RL and the report stay one number per token); the learner reads it for energy_definition "official".
    /// </summary>
    MlpOutputs,
}

/// <summary>Config-file spelling of <see cref="EnergySite"/>: "block", "mlp", "down_proj", "mlp_linears".</summary>
public static class EnergySites
{
    public static EnergySite Parse(string value) => value switch
    {
        "block" => EnergySite.Block,
        "mlp" => EnergySite.Mlp,
        "down_proj" => EnergySite.DownProj,
        "mlp_linears" => EnergySite.MlpLinears,
        "mlp_outputs" => EnergySite.MlpOutputs,
        _ => throw new EppoException(
            $"Unknown energy probe site '{value}'; expected one of: block, mlp, down_proj, mlp_linears."),
    };

    public static string ToConfigString(this EnergySite site) => site switch
    {
        EnergySite.Block => "block",
        EnergySite.Mlp => "mlp",
        EnergySite.DownProj => "down_proj",
        EnergySite.MlpLinears => "mlp_linears",
        EnergySite.MlpOutputs => "mlp_outputs",
        _ => throw new EppoException($"Unknown energy probe site '{(int)site}'."),
    };
}
