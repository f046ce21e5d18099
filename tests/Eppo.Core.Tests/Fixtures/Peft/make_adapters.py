#!/usr/bin/python3
"""Tiny LoRA adapters in PEFT's file format for the Hugging Face fixture models, and their logits and energies.

Independent of EppoOrleans. Written from PEFT's published code (src/peft/tuners/lora/layer.py, config.py,
utils/save_and_load.py):
  - adapter_config.json: peft_type LORA, r, lora_alpha, target_modules, use_rslora, fan_in_fan_out (True for GPT-2's
    Conv1D), modules_to_save, ... written with sorted keys;
  - adapter_model.safetensors: "base_model.model.<module path>.lora_A.weight" (r, in) and ".lora_B.weight" (out, r),
    fp32; modules_to_save under their plain path ("base_model.model.lm_head.weight");
  - unmerged forward: result = base_layer(x) + lora_B(lora_A(x)) * scaling, scaling = lora_alpha / r
    (lora_alpha / sqrt(r) with use_rslora); a target matches a module whose name equals it or ends with "." + it;
  - merge: W += transpose(B @ A, fan_in_fan_out) * scaling (GPT-2's Conv1D weight is in x out);
  - modules_to_save: the saved module replaces the base's.
The base forward follows ../HuggingFace/make_fixtures.py (Hugging Face's modeling code). Energies: down_proj site of
the last layer (input of down_proj / c_proj of the MLP vs its output, the adapter's delta included).

Run with Debian's python3-torch:  /usr/bin/python3 tests/Eppo.Core.Tests/Fixtures/Peft/make_adapters.py
"""
import json
import math
import os
import struct

import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
BASES = os.path.join(HERE, "..", "HuggingFace")
sys.path.insert(0, BASES)
from make_fixtures import energy, gelu_new, repeat_kv, rms_norm, rotate_half  # noqa: E402  (the base models' reference forward)
TOKENS = [[1, 5, 9, 2, 33, 47, 12, 60, 7, 3], [4, 4, 18, 63, 0, 25, 31, 2, 9, 50]]
PREFIX = "base_model.model."


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", e["dtype"]
        a, b = e["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(e["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


class Lora:
    """The adapted modules of one adapter: path -> (A, B), and the scaling."""

    def __init__(self, layers, scaling):
        self.layers, self.scaling = layers, scaling

    def delta(self, path, x):
        if path not in self.layers:
            return 0
        a, b = self.layers[path]
        return (x @ a.T) @ b.T * self.scaling


def gpt2_forward(w, cfg, ids, lora, prefix="transformer."):
    p = lambda n: w[prefix + n]
    d, heads, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    T = ids.shape[1]
    h = p("wte.weight")[ids] + p("wpe.weight")[torch.arange(T)]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    site = None
    for i in range(cfg["n_layer"]):
        path = lambda n: f"{prefix}h.{i}.{n}"
        conv = lambda n, x: x @ w[path(n) + ".weight"] + w[path(n) + ".bias"] + lora.delta(path(n), x)
        a = torch.nn.functional.layer_norm(h, (d,), p(f"h.{i}.ln_1.weight"), p(f"h.{i}.ln_1.bias"), eps)
        qkv = conv("attn.c_attn", a)
        qq, kk, vv = qkv.split(d, dim=2)
        split = lambda t: t.view(t.shape[0], T, heads, d // heads).transpose(1, 2)
        qq, kk, vv = split(qq), split(kk), split(vv)
        att = (qq @ kk.transpose(-1, -2)) / math.sqrt(d // heads)
        att = torch.where(mask, att, torch.finfo(att.dtype).min).softmax(-1)
        y = (att @ vv).transpose(1, 2).reshape(ids.shape[0], T, d)
        h = h + conv("attn.c_proj", y)
        m_in = torch.nn.functional.layer_norm(h, (d,), p(f"h.{i}.ln_2.weight"), p(f"h.{i}.ln_2.bias"), eps)
        inner = gelu_new(conv("mlp.c_fc", m_in))
        m_out = conv("mlp.c_proj", inner)
        h = h + m_out
        site = energy(inner, m_out)
    h = torch.nn.functional.layer_norm(h, (d,), p("ln_f.weight"), p("ln_f.bias"), eps)
    head = w.get("lm_head.weight", p("wte.weight"))
    return h @ head.T, site


def llama_forward(w, cfg, ids, lora):
    d, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps, T, B = d // heads, cfg["rms_norm_eps"], ids.shape[1], ids.shape[0]
    inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    freqs = torch.arange(T).float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    h = w["model.embed_tokens.weight"][ids]
    site = None
    for i in range(cfg["num_hidden_layers"]):
        path = lambda n: f"model.layers.{i}.{n}"
        linear = lambda n, x: x @ w[path(n) + ".weight"].T + lora.delta(path(n), x)
        a = rms_norm(h, w[path("input_layernorm.weight")], eps)
        qq = linear("self_attn.q_proj", a).view(B, T, heads, hd).transpose(1, 2)
        kk = linear("self_attn.k_proj", a).view(B, T, kv, hd).transpose(1, 2)
        vv = linear("self_attn.v_proj", a).view(B, T, kv, hd).transpose(1, 2)
        qq, kk = qq * cos + rotate_half(qq) * sin, kk * cos + rotate_half(kk) * sin
        kk, vv = repeat_kv(kk, heads // kv), repeat_kv(vv, heads // kv)
        att = (qq @ kk.transpose(2, 3)) / math.sqrt(hd)
        att = torch.where(mask, att, torch.finfo(att.dtype).min).softmax(-1, dtype=torch.float32)
        y = (att @ vv).transpose(1, 2).reshape(B, T, d)
        h = h + linear("self_attn.o_proj", y)
        m_in = rms_norm(h, w[path("post_attention_layernorm.weight")], eps)
        inner = torch.nn.functional.silu(linear("mlp.gate_proj", m_in)) * linear("mlp.up_proj", m_in)
        m_out = linear("mlp.down_proj", inner)
        h = h + m_out
        site = energy(inner, m_out)
    h = rms_norm(h, w["model.norm.weight"], eps)
    head = w["lm_head.weight"] if "lm_head.weight" in w else w["model.embed_tokens.weight"]
    return h @ head.T, site


def targets_match(name, targets):
    if targets == "all-linear":
        return True
    return any(name == t or name.endswith("." + t) for t in targets)


def make(case, base, forward, linears, targets, r, alpha, rslora=False, fan_in_fan_out=False, save_head=False, seed=0):
    g = torch.Generator().manual_seed(seed)
    w = read_safetensors(os.path.join(BASES, base, "model.safetensors"))
    with open(os.path.join(BASES, base, "config.json")) as f:
        cfg = json.load(f)
    scaling = alpha / math.sqrt(r) if rslora else alpha / r
    layers, tensors = {}, {}
    for path in linears:
        if not targets_match(path, targets):
            continue
        weight = w[path + ".weight"]
        fan_in, fan_out = (weight.shape[0], weight.shape[1]) if fan_in_fan_out else (weight.shape[1], weight.shape[0])
        bound = 1 / math.sqrt(fan_in)                                      # kaiming_uniform_(a=sqrt(5))
        a = (torch.rand(r, fan_in, generator=g) * 2 - 1) * bound
        b = torch.randn(fan_out, r, generator=g) * 0.3                     # trained, so not zero
        layers[path] = (a, b)
        tensors[f"{PREFIX}{path}.lora_A.weight"] = a
        tensors[f"{PREFIX}{path}.lora_B.weight"] = b
    saved = dict(w)
    modules_to_save = None
    if save_head:
        modules_to_save = ["lm_head"]
        head = w["lm_head.weight"] + torch.randn(w["lm_head.weight"].shape, generator=g) * 0.05
        tensors[f"{PREFIX}lm_head.weight"] = head
        saved["lm_head.weight"] = head
    lora = Lora(layers, scaling)
    ids = torch.tensor(TOKENS)
    unmerged, site = forward(saved, cfg, ids, lora)
    merged_w = dict(saved)
    for path, (a, b) in layers.items():
        delta = (b @ a) * scaling
        merged_w[path + ".weight"] = merged_w[path + ".weight"] + (delta.T if fan_in_fan_out else delta)
    merged, _ = forward(merged_w, cfg, ids, Lora({}, 0))
    base_logits, _ = forward(w, cfg, ids, Lora({}, 0))

    out = os.path.join(HERE, case)
    os.makedirs(out, exist_ok=True)
    config = {"alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": base, "bias": "none",
              "fan_in_fan_out": fan_in_fan_out, "inference_mode": True, "init_lora_weights": True,
              "layers_pattern": None, "layers_to_transform": None, "lora_alpha": alpha, "lora_dropout": 0.05,
              "modules_to_save": modules_to_save, "peft_type": "LORA", "r": r, "rank_pattern": {}, "revision": None,
              "target_modules": targets, "task_type": "CAUSAL_LM", "use_dora": False, "use_rslora": rslora}
    with open(os.path.join(out, "adapter_config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    write_safetensors(os.path.join(out, "adapter_model.safetensors"), tensors)
    return {"base": base, "unmerged": unmerged.tolist(), "merged": merged.tolist(), "energy": site.tolist(),
            "max_shift": float((unmerged - base_logits).abs().max())}


def llama_linears(layers=2):
    names = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]
    return [f"model.layers.{i}.{n}" for i in range(layers) for n in names]


def gpt2_linears(layers=2):
    return [f"transformer.h.{i}.{n}" for i in range(layers) for n in ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"]]


def main():
    torch.set_grad_enabled(False)
    cases = {
        "llama-qv-r4": make("llama-qv-r4", "llama-gqa-f32", llama_forward, llama_linears(), ["q_proj", "v_proj"], 4, 8.0, seed=11),
        "llama-all-rslora-head": make("llama-all-rslora-head", "llama-gqa-f32", llama_forward, llama_linears(), "all-linear", 2, 4.0,
                                      rslora=True, save_head=True, seed=12),
        "gpt2-conv1d": make("gpt2-conv1d", "gpt2-tied-f32", gpt2_forward, gpt2_linears(), ["c_attn", "c_proj", "c_fc"], 3, 6.0,
                            fan_in_fan_out=True, seed=13),
    }
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump({"tokens": TOKENS, "cases": cases}, f)
    print("wrote", ", ".join(f"{k} (adapter moves logits by up to {v['max_shift']:.3f})" for k, v in cases.items()))


if __name__ == "__main__":
    main()
