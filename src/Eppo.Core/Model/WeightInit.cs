namespace Eppo.Core.Model;

/// <summary>
/// Seeded GPT-2-style init: weights N(0, std), residual output projections (o_proj, down_proj, c_proj) scaled by
/// 1/√(2L), biases 0, norm weights 1. Parameters are visited in state-dict order, so a seed fixes every weight; the
/// generator is on the parameters' device (<see cref="SeededInit"/>).
/// </summary>
internal static class WeightInit
{
    public static void Apply(nn.Module model, int layers, int seed, double std)
    {
        using var noGrad = no_grad();
        torch.Generator? generator = null;
        try
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (name.EndsWith(".bias")) parameter.zero_();
                else if (parameter.dim() == 1) parameter.FillWith(1.0);
                else
                {
                    generator ??= SeededInit.Generator(seed, parameter.device);
                    SeededInit.Normal(parameter, IsResidualProjection(name) ? std / Math.Sqrt(2.0 * layers) : std, generator);
                }
            }
        }
        finally
        {
            generator?.Dispose();
        }
    }

    static bool IsResidualProjection(string name) =>
        name.EndsWith("o_proj.weight") || name.EndsWith("down_proj.weight") || name.EndsWith("c_proj.weight");
}
