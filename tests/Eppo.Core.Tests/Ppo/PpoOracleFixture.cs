using System.Text.Json.Nodes;

namespace Eppo.Core.Tests.Ppo;

/// <summary>
/// Seeded random inputs and ONE PyTorch run that recomputes every PPO/EPPO formula independently (classic loops,
/// torch.distributions, autograd). Each test in <see cref="PpoMathOracleTests"/> compares one function to its part.
/// </summary>
public sealed class PpoOracleFixture
{
    public const int B = 3, T = 6, V = 5, M = 3;
    public const double Gamma = 0.95, Lambda = 0.9, ClipEps = 0.2, ValueClipEps = 0.3, Beta = 0.07;

    public float[][] Mask { get; } =
    [
        [0, 1, 1, 1, 1, 0],   // left prompt, right padding
        [1, 1, 1, 0, 0, 0],   // short response
        [0, 0, 1, 1, 1, 1],   // response runs to the end
    ];
    public float[][] Rewards { get; }
    public float[][] Values { get; }
    public float[][] OldValues { get; }
    public float[][] Returns { get; }
    public float[][] LogProbs { get; }
    public float[][] OldLogProbs { get; }
    public float[][] RefLogProbs { get; }
    public float[][] Advantages { get; }
    public float[][][] Logits { get; }
    public float[] Scores { get; }
    public float[][] SftEnergy { get; }   // [module][sample]
    public float[][] RlEnergy { get; }
    public float[][] MomentBatches { get; }
    public int[] Lengths { get; } = [3, 12, 40];
    public double[] KlSeries { get; } = [0.5, 3.0, 1.2, 0.9, 8.0];
    public JsonObject Expected { get; }

    public PpoOracleFixture()
    {
        var random = new Random(1234);
        float[] Row(int n, double scale, double shift = 0) => Enumerable.Range(0, n).Select(_ => (float)(shift + scale * (2 * random.NextDouble() - 1))).ToArray();
        float[][] Matrix(double scale, double shift = 0) => Enumerable.Range(0, B).Select(_ => Row(T, scale, shift)).ToArray();
        Rewards = Matrix(1);
        Values = Matrix(1);
        OldValues = Values.Select(r => r.Select(v => v + (float)(0.6 * (2 * random.NextDouble() - 1))).ToArray()).ToArray();
        Returns = Matrix(1.5);
        LogProbs = Matrix(1, -2);
        // Differences large enough that the clip is active on some tokens and not on others.
        OldLogProbs = LogProbs.Select(r => r.Select(v => v + (float)(0.5 * (2 * random.NextDouble() - 1))).ToArray()).ToArray();
        RefLogProbs = LogProbs.Select(r => r.Select(v => v + (float)(0.8 * (2 * random.NextDouble() - 1))).ToArray()).ToArray();
        Advantages = Matrix(2);
        Logits = Enumerable.Range(0, B).Select(_ => Enumerable.Range(0, T).Select(_ => Row(V, 4)).ToArray()).ToArray();
        Scores = Row(B, 3);
        SftEnergy = Enumerable.Range(0, M).Select(_ => Row(B, 0.5, -0.6)).ToArray();
        RlEnergy = Enumerable.Range(0, M).Select(_ => Row(B, 0.5, -0.5)).ToArray();
        MomentBatches = [Row(5, 2, 1), Row(1, 2, 1), Row(7, 3, -1)];

        Expected = PyTorchOracle.Run(Script, new
        {
            mask = Mask, rewards = Rewards, values = Values, old_values = OldValues, returns = Returns,
            logp = LogProbs, old_logp = OldLogProbs, ref_logp = RefLogProbs, adv = Advantages, logits = Logits,
            scores = Scores, sft = SftEnergy, rl = RlEnergy, batches = MomentBatches, lengths = Lengths, kls = KlSeries,
            gamma = Gamma, lam = Lambda, clip = ClipEps, vclip = ValueClipEps, beta = Beta,
        });
    }

    const string Script = """
        mask = T(inp["mask"]); B, Tn = mask.shape
        def mmean(v, m, dim=None):
            return (v * m).sum() / m.sum() if dim is None else (v * m).sum(dim) / m.sum(dim)
        def mvar(v, m, unbiased=True):
            mean = mmean(v, m)
            var = mmean((v - mean) ** 2, m)
            if unbiased:
                n = m.sum()
                var = var * n / (n - 1)
            return var
        vals = T(inp["values"])
        out["mean"] = mmean(vals, mask)
        out["mean_rows"] = mmean(vals, mask, 1)
        out["var_unbiased"] = mvar(vals, mask, True)
        out["var_biased"] = mvar(vals, mask, False)
        w = (vals - mmean(vals, mask)) * torch.rsqrt(mvar(vals, mask) + 1e-8)
        out["whiten"] = w
        out["whiten_noshift"] = w + mmean(vals, mask)

        # GAE: the classic reversed loop over (masked) rewards and values
        g, lam = inp["gamma"], inp["lam"]
        r = T(inp["rewards"]) * mask; v = vals * mask
        last = torch.zeros(B); advs = []
        for t in reversed(range(Tn)):
            nv = v[:, t + 1] if t < Tn - 1 else torch.zeros(B)
            delta = r[:, t] + g * nv - v[:, t]
            last = delta + g * lam * last
            advs.append(last)
        adv = torch.stack(advs[::-1], dim=1)
        out["gae_adv"] = adv * mask
        out["gae_ret"] = (adv + v) * mask

        # clipped policy loss, with its gradient w.r.t. log-probs
        lp = T(inp["logp"]).requires_grad_(True); old = T(inp["old_logp"]); A = T(inp["adv"]); eps = inp["clip"]
        ratio = torch.exp(lp - old)
        s1 = ratio * A; s2 = torch.clamp(ratio, 1 - eps, 1 + eps) * A
        pl = mmean(-torch.min(s1, s2), mask)
        pl.backward()
        out["pl_loss"] = pl; out["pl_grad"] = lp.grad
        out["pl_clipfrac"] = mmean((s2 < s1).double(), mask)
        out["pl_kl"] = 0.5 * mmean((lp.detach() - old) ** 2, mask)

        # clipped value loss, with its gradient w.r.t. values
        vv = vals.clone().requires_grad_(True); ov = T(inp["old_values"]); R = T(inp["returns"]); ve = inp["vclip"]
        vc = ov + torch.clamp(vv - ov, -ve, ve)
        vl = 0.5 * mmean(torch.max((vc - R) ** 2, (vv - R) ** 2), mask)
        vl.backward()
        out["vl_loss"] = vl; out["vl_grad"] = vv.grad

        logits = T(inp["logits"])
        ent = torch.distributions.Categorical(logits=logits).entropy()
        out["entropy"] = ent; out["entropy_mean"] = mmean(ent, mask)

        ref = T(inp["ref_logp"]); lpd = T(inp["logp"])
        out["k1"] = lpd - ref
        out["k3"] = torch.exp(ref - lpd) - (ref - lpd) - 1

        # reward assembly: find the last response token with a plain loop
        beta = inp["beta"]; scores = inp["scores"]
        rew = -beta * (lpd - ref) * mask
        for b in range(B):
            lastpos = max(t for t in range(Tn) if mask[b, t] == 1)
            rew[b, lastpos] += scores[b]
        out["assembled_k1"] = rew
        rew3 = -beta * out["k3"] * mask
        for b in range(B):
            lastpos = max(t for t in range(Tn) if mask[b, t] == 1)
            rew3[b, lastpos] += scores[b]
        out["assembled_k3"] = rew3

        # EPPO penalty: sum over modules of |sft - rl|; shaping with eta, optional floor, clip
        sft = T(inp["sft"]); rl = T(inp["rl"])        # (M, B)
        pen = (sft - rl).abs().sum(0)
        out["penalty"] = pen
        sc = T(scores)
        out["shaped_default"] = torch.clamp(sc - 2.0 * pen, -5, 5)
        out["shaped_floor"] = torch.clamp(torch.max(sc - 3.0 * pen, 0.5 * sc), -1.5, 1.5)

        # running moments over the concatenation of batches; length penalty with its std
        allx = torch.cat([T(x) for x in inp["batches"]])
        out["rm_mean"] = allx.mean(); out["rm_var"] = allx.var(unbiased=False); out["rm_std"] = allx.std(unbiased=True)
        out["rm_count"] = allx.numel()
        L = T(inp["lengths"])
        out["length_penalty"] = sc + (1 - L / 20.0) * allx.std(unbiased=True)

        # adaptive KL controller: Ziegler et al.
        beta_ = 0.1; hist = []
        for kl in inp["kls"]:
            err = min(max(kl / 2.0 - 1, -0.2), 0.2)
            beta_ *= 1 + err * 64 / 1000.0
            hist.append(beta_)
        out["kl_ctl"] = hist
        """;
}
