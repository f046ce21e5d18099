using Eppo.Core.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Eppo.Core.Tests.Model;

/// <summary>
/// The final decoder block recomputed by hand from the state dict (separate tensor ops, no model modules), keeping
/// every intermediate the energy probe may look at.
/// </summary>
internal sealed record ReferenceFinalBlock(Tensor BlockIn, Tensor BlockOut, Tensor MlpIn, Tensor[] LinearIns, Tensor[] LinearOuts, Tensor MlpOut)
{
    /// <summary>E_t = mean_d|in| − mean_d|out| at the site, written out again here.</summary>
    public Tensor ExpectedEnergy(EnergySite site) => site switch
    {
        EnergySite.Block => MeanAbs(BlockIn) - MeanAbs(BlockOut),
        EnergySite.Mlp => MeanAbs(MlpIn) - MeanAbs(MlpOut),
        EnergySite.DownProj => MeanAbs(LinearIns[^1]) - MeanAbs(LinearOuts[^1]),
        EnergySite.MlpOutputs => stack(LinearOuts.Select(MeanAbs).ToArray(), -1),
        _ => LinearIns.Zip(LinearOuts, (i, o) => MeanAbs(i) - MeanAbs(o)).Aggregate((a, b) => a + b),
    };

    static Tensor MeanAbs(Tensor x) => x.abs().sum(-1) / x.shape[^1];

    public static ReferenceFinalBlock Compute(DecoderModel model, Tensor blockIn, long[,] positions, long[,] mask)
    {
        var config = model.Config;
        var state = model.state_dict();
        var layer = config.Layers - 1;
        return config.Family == ModelFamily.Llama
            ? Llama(config, name => state[$"model.layers.{layer}.{name}"], blockIn, positions, mask)
            : Gpt2(config, name => state[$"transformer.h.{layer}.{name}"], blockIn, positions, mask);
    }

    static ReferenceFinalBlock Llama(ModelConfig config, Func<string, Tensor> w, Tensor x, long[,] positions, long[,] mask)
    {
        var (b, t, c) = (x.shape[0], x.shape[1], x.shape[2]);
        var (heads, kvHeads, d) = (config.Heads, config.KvHeads, config.HeadDim);
        var a = Rms(x, w("input_layernorm.weight"), config.NormEps);
        var q = Rope(Lin(a, w("self_attn.q_proj.weight")).view(b, t, heads, d).permute(0, 2, 1, 3), positions, config.RopeTheta);
        var k = Rope(Lin(a, w("self_attn.k_proj.weight")).view(b, t, kvHeads, d).permute(0, 2, 1, 3), positions, config.RopeTheta);
        var v = Lin(a, w("self_attn.v_proj.weight")).view(b, t, kvHeads, d).permute(0, 2, 1, 3);
        var shared = tensor(Enumerable.Range(0, heads).Select(h => (long)(h / (heads / kvHeads))).ToArray()); // query head → KV head
        var attention = Attend(q, k.index_select(1, shared), v.index_select(1, shared), mask).permute(0, 2, 1, 3).reshape(b, t, c);
        var h = x + Lin(attention, w("self_attn.o_proj.weight"));
        var m = Rms(h, w("post_attention_layernorm.weight"), config.NormEps);
        var gate = Lin(m, w("mlp.gate_proj.weight"));
        var up = Lin(m, w("mlp.up_proj.weight"));
        var inner = gate * (1 / (1 + (-gate).exp())) * up;
        var output = Lin(inner, w("mlp.down_proj.weight"));
        return new ReferenceFinalBlock(x, h + output, m, [m, m, inner], [gate, up, output], output);
    }

    static ReferenceFinalBlock Gpt2(ModelConfig config, Func<string, Tensor> w, Tensor x, long[,] positions, long[,] mask)
    {
        var (b, t, c) = (x.shape[0], x.shape[1], x.shape[2]);
        var (heads, d) = (config.Heads, config.HeadDim);
        var a = Norm(x, w("ln_1.weight"), w("ln_1.bias"), config.NormEps);
        var qkv = Lin(a, w("attn.c_attn.weight"), w("attn.c_attn.bias"));
        Tensor Split(int part) => qkv.narrow(-1, part * c, c).view(b, t, heads, d).permute(0, 2, 1, 3);
        var attention = Attend(Split(0), Split(1), Split(2), mask).permute(0, 2, 1, 3).reshape(b, t, c);
        var h = x + Lin(attention, w("attn.c_proj.weight"), w("attn.c_proj.bias"));
        var m = Norm(h, w("ln_2.weight"), w("ln_2.bias"), config.NormEps);
        var hidden = Lin(m, w("mlp.c_fc.weight"), w("mlp.c_fc.bias"));
        var inner = 0.5 * hidden * (1 + (Math.Sqrt(2 / Math.PI) * (hidden + 0.044715 * hidden.pow(3))).tanh());
        var output = Lin(inner, w("mlp.c_proj.weight"), w("mlp.c_proj.bias"));
        return new ReferenceFinalBlock(x, h + output, m, [m, inner], [hidden, output], output);
    }

    static Tensor Lin(Tensor x, Tensor weight, Tensor? bias = null) => bias is null ? x.matmul(weight.t()) : x.matmul(weight.t()) + bias;

    static Tensor Rms(Tensor x, Tensor weight, double eps) => x / ((x * x).mean([-1L], keepdim: true) + eps).sqrt() * weight;

    static Tensor Norm(Tensor x, Tensor weight, Tensor bias, double eps)
    {
        var centred = x - x.mean([-1L], keepdim: true);
        return centred / ((centred * centred).mean([-1L], keepdim: true) + eps).sqrt() * weight + bias;
    }

    /// <summary>x (B, H, T, D): pairs (i, i + D/2) rotated by position · theta^(−2i/D), angles computed in double.</summary>
    static Tensor Rope(Tensor x, long[,] positions, double theta)
    {
        var (b, t, d) = (x.shape[0], x.shape[2], x.shape[3]);
        var half = d / 2;
        var cos = new float[b * t * half];
        var sin = new float[b * t * half];
        for (var row = 0; row < b; row++)
            for (var col = 0; col < t; col++)
                for (var i = 0; i < half; i++)
                {
                    var angle = positions[row, col] / Math.Pow(theta, 2.0 * i / d);
                    cos[(row * t + col) * half + i] = (float)Math.Cos(angle);
                    sin[(row * t + col) * half + i] = (float)Math.Sin(angle);
                }
        var c = tensor(cos, [b, 1, t, half]);
        var s = tensor(sin, [b, 1, t, half]);
        var (x1, x2) = (x.narrow(-1, 0, half), x.narrow(-1, half, half));
        return cat([x1 * c - x2 * s, x2 * c + x1 * s], -1);
    }

    /// <summary>Softmax attention; query i sees key j when j ≤ i and j is a real token or j = i.</summary>
    static Tensor Attend(Tensor q, Tensor k, Tensor v, long[,] mask)
    {
        var (b, t) = (mask.GetLength(0), mask.GetLength(1));
        var allowed = new bool[b * t * t];
        for (var row = 0; row < b; row++)
            for (var i = 0; i < t; i++)
                for (var j = 0; j <= i; j++)
                    allowed[(row * t + i) * t + j] = mask[row, j] == 1 || j == i;
        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(q.shape[^1]);
        scores = scores.masked_fill(tensor(allowed, [b, 1, t, t]).logical_not(), double.NegativeInfinity);
        return scores.softmax(-1).matmul(v);
    }
}
