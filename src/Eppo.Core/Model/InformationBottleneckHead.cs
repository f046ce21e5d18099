using TorchSharp.Modules;
using static TorchSharp.torch.nn;

namespace Eppo.Core.Model;

/// <summary>
/// InfoRM's head (Miao et al. 2024): features h (…, C) → encoder → (μ, log σ²) of a latent z (…, L); decoder z → reward.
/// Training decodes a reparameterised sample z = μ + σ·ε; scoring decodes μ, so a response's reward is a function of it.
/// State-dict keys: score.encoder.*, score.decoder.*.
/// </summary>
public sealed class InformationBottleneckHead : Module<Tensor, Tensor>
{
    readonly Linear encoder, decoder;

    public InformationBottleneckHead(int hidden, int latent) : base(nameof(InformationBottleneckHead))
    {
        if (latent <= 0) throw new EppoException($"InfoRM head: latent size must be positive (got {latent})");
        Latent = latent;
        encoder = Linear(hidden, 2 * latent);
        decoder = Linear(latent, 1);
        RegisterComponents();
    }

    public int Latent { get; }

    /// <summary>h (…, C) → μ, log σ² (…, L) each.</summary>
    public (Tensor Mean, Tensor LogVariance) Encode(Tensor hidden)
    {
        var parts = encoder.forward(hidden).chunk(2, -1);
        return (parts[0], parts[1]);
    }

    /// <summary>z (…, L) → reward (…).</summary>
    public Tensor Decode(Tensor latent) => decoder.forward(latent).squeeze(-1);

    /// <summary>Scoring: the reward decoded from μ, (…, C) → (…).</summary>
    public override Tensor forward(Tensor hidden) => Decode(Encode(hidden).Mean);
}
