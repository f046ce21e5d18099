#!/usr/bin/python3
"""Tiny random checkpoints in Hugging Face layout, and their logits and energies from a reference forward.

Independent of EppoOrleans: the checkpoints are written here (config.json + safetensors, byte layout by hand), and the
reference forward follows Hugging Face's modeling code (transformers' modeling_gpt2.py and modeling_llama.py:
Conv1D weights stored in x out, gelu_new, LayerNorm; RMSNorm in float32, rotate_half RoPE with
inv_freq = 1 / theta^(arange(0, D, 2) / D), repeat_kv, eager causal attention). Energies follow docs/eppo.md:
E_t = mean_d|in_t| - mean_d|out_t| at each probe site of the last layer.

Run with Debian's python3-torch:  /usr/bin/python3 tests/Eppo.Core.Tests/Fixtures/HuggingFace/make_fixtures.py
"""
import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENS = [[1, 5, 9, 2, 33, 47, 12, 60, 7, 3], [4, 4, 18, 63, 0, 25, 31, 2, 9, 50]]
GREEDY_PROMPT = [1, 5, 9, 2]
DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def write_safetensors(path, tensors, dtype_name):
    """tensors: ordered dict name -> float32 tensor, stored as dtype_name. Returns the stored values as float32."""
    header, blobs, offset, stored = {}, [], 0, {}
    for name, t in tensors.items():
        s = t.to(DTYPES[dtype_name]).contiguous()
        raw = (s.view(torch.int16) if s.dtype in (torch.float16, torch.bfloat16) else s).numpy().tobytes()
        header[name] = {"dtype": dtype_name, "shape": list(s.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
        stored[name] = s.to(torch.float32)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    return stored


def save(name, config, tensors, dtype_name, shards=1):
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.remove(os.path.join(out, f))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    names = list(tensors)
    if shards == 1:
        return write_safetensors(os.path.join(out, "model.safetensors"), tensors, dtype_name)
    stored, weight_map = {}, {}
    per = math.ceil(len(names) / shards)
    for i in range(shards):
        file = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: tensors[n] for n in names[i * per:(i + 1) * per]}
        stored.update(write_safetensors(os.path.join(out, file), part, dtype_name))
        weight_map.update({n: file for n in part})
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=2)
    return stored


def energy(x, y):
    return x.abs().mean(-1) - y.abs().mean(-1)


# ---- GPT-2 (modeling_gpt2.py) ----

def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def gpt2_forward(w, cfg, ids, prefix):
    p = lambda n: w[prefix + n]
    d, heads, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    T = ids.shape[1]
    h = p("wte.weight")[ids] + p("wpe.weight")[torch.arange(T)]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    sites = {}
    for i in range(cfg["n_layer"]):
        q = lambda n: p(f"h.{i}.{n}")
        block_in = h
        a = torch.nn.functional.layer_norm(h, (d,), q("ln_1.weight"), q("ln_1.bias"), eps)
        qkv = a @ q("attn.c_attn.weight") + q("attn.c_attn.bias")          # Conv1D: x @ W (in x out) + b
        qq, kk, vv = qkv.split(d, dim=2)
        split = lambda t: t.view(t.shape[0], T, heads, d // heads).transpose(1, 2)
        qq, kk, vv = split(qq), split(kk), split(vv)
        att = (qq @ kk.transpose(-1, -2)) / math.sqrt(d // heads)
        att = torch.where(mask, att, torch.finfo(att.dtype).min).softmax(-1)
        y = (att @ vv).transpose(1, 2).reshape(ids.shape[0], T, d)
        h = h + (y @ q("attn.c_proj.weight") + q("attn.c_proj.bias"))
        m_in = torch.nn.functional.layer_norm(h, (d,), q("ln_2.weight"), q("ln_2.bias"), eps)
        fc = m_in @ q("mlp.c_fc.weight") + q("mlp.c_fc.bias")
        inner = gelu_new(fc)
        m_out = inner @ q("mlp.c_proj.weight") + q("mlp.c_proj.bias")
        h = h + m_out
        if i == cfg["n_layer"] - 1:
            sites = {"block": energy(block_in, h), "mlp": energy(m_in, m_out), "down_proj": energy(inner, m_out),
                     "mlp_linears": energy(m_in, fc) + energy(inner, m_out)}
    h = torch.nn.functional.layer_norm(h, (d,), p("ln_f.weight"), p("ln_f.bias"), eps)
    head = w["lm_head.weight"] if "lm_head.weight" in w else p("wte.weight")
    return h @ head.T, sites


def make_gpt2(name, dtype_name, prefix, seed):
    g = torch.Generator().manual_seed(seed)
    cfg = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 64, "n_embd": 32, "n_layer": 2,
           "n_head": 4, "n_positions": 32, "n_inner": None, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
           "tie_word_embeddings": True}
    d, inner = 32, 128
    r = lambda *s, std=0.2: torch.randn(*s, generator=g) * std
    t = {f"{prefix}wte.weight": r(64, d), f"{prefix}wpe.weight": r(32, d, std=0.05)}
    for i in range(2):
        t.update({
            f"{prefix}h.{i}.ln_1.weight": 1 + r(d, std=0.1), f"{prefix}h.{i}.ln_1.bias": r(d, std=0.1),
            f"{prefix}h.{i}.attn.c_attn.weight": r(d, 3 * d), f"{prefix}h.{i}.attn.c_attn.bias": r(3 * d, std=0.05),
            f"{prefix}h.{i}.attn.c_proj.weight": r(d, d), f"{prefix}h.{i}.attn.c_proj.bias": r(d, std=0.05),
            f"{prefix}h.{i}.ln_2.weight": 1 + r(d, std=0.1), f"{prefix}h.{i}.ln_2.bias": r(d, std=0.1),
            f"{prefix}h.{i}.mlp.c_fc.weight": r(d, inner), f"{prefix}h.{i}.mlp.c_fc.bias": r(inner, std=0.05),
            f"{prefix}h.{i}.mlp.c_proj.weight": r(inner, d), f"{prefix}h.{i}.mlp.c_proj.bias": r(d, std=0.05),
        })
    # Old GPT-2 checkpoints carry the causal-mask buffers; a loader must skip them.
    t[f"{prefix}h.0.attn.bias"] = torch.tril(torch.ones(32, 32)).view(1, 1, 32, 32)
    t.update({f"{prefix}ln_f.weight": 1 + r(d, std=0.1), f"{prefix}ln_f.bias": r(d, std=0.1)})
    stored = save(name, cfg, t, dtype_name)
    return gpt2_forward(stored, cfg, torch.tensor(TOKENS), prefix), lambda ids: gpt2_forward(stored, cfg, ids, prefix)[0]


# ---- Llama / Mistral (modeling_llama.py) ----

def rms_norm(x, weight, eps):
    variance = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    b, kv, t, dim = x.shape
    return x[:, :, None, :, :].expand(b, kv, n_rep, t, dim).reshape(b, kv * n_rep, t, dim)


def llama3_inv_freq(inv_freq, s):
    """modeling_rope_utils._compute_llama3_parameters."""
    factor, low, high, old = s["factor"], s["low_freq_factor"], s["high_freq_factor"], s["original_max_position_embeddings"]
    low_freq_wavelen, high_freq_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old / wavelen - low) / (high - low)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


def llama_forward(w, cfg, ids):
    d, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps, T, B = d // heads, cfg["rms_norm_eps"], ids.shape[1], ids.shape[0]
    inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    if cfg.get("rope_scaling"):
        inv_freq = llama3_inv_freq(inv_freq, cfg["rope_scaling"])
    bias = lambda i, n: w.get(f"model.layers.{i}.self_attn.{n}_proj.bias", 0)  # Qwen2: q/k/v biases
    freqs = torch.arange(T).float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    h = w["model.embed_tokens.weight"][ids]
    sites = {}
    for i in range(cfg["num_hidden_layers"]):
        q = lambda n: w[f"model.layers.{i}.{n}"]
        block_in = h
        a = rms_norm(h, q("input_layernorm.weight"), eps)
        qq = (a @ q("self_attn.q_proj.weight").T + bias(i, "q")).view(B, T, heads, hd).transpose(1, 2)
        kk = (a @ q("self_attn.k_proj.weight").T + bias(i, "k")).view(B, T, kv, hd).transpose(1, 2)
        vv = (a @ q("self_attn.v_proj.weight").T + bias(i, "v")).view(B, T, kv, hd).transpose(1, 2)
        qq, kk = qq * cos + rotate_half(qq) * sin, kk * cos + rotate_half(kk) * sin
        kk, vv = repeat_kv(kk, heads // kv), repeat_kv(vv, heads // kv)
        att = (qq @ kk.transpose(2, 3)) / math.sqrt(hd)
        att = torch.where(mask, att, torch.finfo(att.dtype).min).softmax(-1, dtype=torch.float32)
        y = (att @ vv).transpose(1, 2).reshape(B, T, d)
        h = h + y @ q("self_attn.o_proj.weight").T
        m_in = rms_norm(h, q("post_attention_layernorm.weight"), eps)
        gate, up = m_in @ q("mlp.gate_proj.weight").T, m_in @ q("mlp.up_proj.weight").T
        inner = torch.nn.functional.silu(gate) * up
        m_out = inner @ q("mlp.down_proj.weight").T
        h = h + m_out
        if i == cfg["num_hidden_layers"] - 1:
            sites = {"block": energy(block_in, h), "mlp": energy(m_in, m_out), "down_proj": energy(inner, m_out),
                     "mlp_linears": energy(m_in, gate) + energy(m_in, up) + energy(inner, m_out)}
    h = rms_norm(h, w["model.norm.weight"], eps)
    head = w["lm_head.weight"] if "lm_head.weight" in w else w["model.embed_tokens.weight"]
    return h @ head.T, sites


def make_llama(name, dtype_name, arch, tied, seed, shards=1, extra=None):
    g = torch.Generator().manual_seed(seed)
    d, layers, heads, kv, inner, vocab = 32, 2, 4, 2, 48, 64
    model_type = {"MistralForCausalLM": "mistral", "Qwen2ForCausalLM": "qwen2"}.get(arch, "llama")
    cfg = {"architectures": [arch], "model_type": model_type, "vocab_size": vocab,
           "hidden_size": d, "intermediate_size": inner, "num_hidden_layers": layers, "num_attention_heads": heads,
           "num_key_value_heads": kv, "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
           "hidden_act": "silu", "tie_word_embeddings": tied, "rope_scaling": None, "attention_bias": False}
    cfg.update(extra or {})
    r = lambda *s, std=0.2: torch.randn(*s, generator=g) * std
    t = {"model.embed_tokens.weight": r(vocab, d, std=0.5)}
    for i in range(layers):
        t.update({
            f"model.layers.{i}.input_layernorm.weight": 1 + r(d, std=0.1),
            f"model.layers.{i}.self_attn.q_proj.weight": r(heads * d // heads, d),
            f"model.layers.{i}.self_attn.k_proj.weight": r(kv * d // heads, d),
            f"model.layers.{i}.self_attn.v_proj.weight": r(kv * d // heads, d),
            f"model.layers.{i}.self_attn.o_proj.weight": r(d, d),
            f"model.layers.{i}.post_attention_layernorm.weight": 1 + r(d, std=0.1),
            f"model.layers.{i}.mlp.gate_proj.weight": r(inner, d),
            f"model.layers.{i}.mlp.up_proj.weight": r(inner, d),
            f"model.layers.{i}.mlp.down_proj.weight": r(d, inner),
        })
        if model_type == "qwen2":
            t.update({f"model.layers.{i}.self_attn.{n}_proj.bias": r(size, std=0.3) for n, size in (("q", d), ("k", kv * d // heads), ("v", kv * d // heads))})
    t["model.norm.weight"] = 1 + r(d, std=0.1)
    if not tied:
        t["lm_head.weight"] = r(vocab, d)
    stored = save(name, cfg, t, dtype_name, shards)
    return llama_forward(stored, cfg, torch.tensor(TOKENS)), lambda ids: llama_forward(stored, cfg, ids)[0]


def greedy(forward, steps=8):
    """Greedy decoding by full recomputation (no cache): the argmax of the last position, appended, repeated."""
    ids = list(GREEDY_PROMPT)
    for _ in range(steps):
        ids.append(int(forward(torch.tensor([ids]))[0, -1].argmax()))
    return ids[len(GREEDY_PROMPT):]


def main():
    torch.set_grad_enabled(False)
    cases = {
        "gpt2-tied-f32": make_gpt2("gpt2-tied-f32", "F32", "transformer.", 1),
        "gpt2-noprefix-f16": make_gpt2("gpt2-noprefix-f16", "F16", "", 2),
        "llama-gqa-f32": make_llama("llama-gqa-f32", "F32", "LlamaForCausalLM", False, 3),
        "llama-tied-bf16-sharded": make_llama("llama-tied-bf16-sharded", "BF16", "LlamaForCausalLM", True, 4, shards=2),
        "mistral-f16": make_llama("mistral-f16", "F16", "MistralForCausalLM", False, 5,
                                  extra={"sliding_window": 4096, "rope_theta": 1000000.0}),
        "qwen2-tied-f32": make_llama("qwen2-tied-f32", "F32", "Qwen2ForCausalLM", True, 6,
                                     extra={"use_sliding_window": False, "sliding_window": 4096, "max_window_layers": 2}),
        # head_dim 8, θ 1e4, original context 64: one frequency kept, one smoothed, two divided by the factor.
        "llama3-scaled-f32": make_llama("llama3-scaled-f32", "F32", "LlamaForCausalLM", False, 7,
                                        extra={"max_position_embeddings": 128, "rope_scaling": {"rope_type": "llama3", "factor": 8.0,
                                               "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64}}),
    }
    out = {"tokens": TOKENS, "cases": {}, "greedy_prompt": GREEDY_PROMPT}
    for name, ((logits, sites), forward) in cases.items():
        out["cases"][name] = {"logits": logits.tolist(), "energy": {k: v.tolist() for k, v in sites.items()},
                              "greedy": greedy(forward)}
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(out, f)
    print("wrote", ", ".join(cases))


if __name__ == "__main__":
    main()
