#!/usr/bin/python3
"""The PyTorch peer of `eppo bench model`: the same work as EppoOrleans on the same checkpoint, in PyTorch eager.

Written from Hugging Face's eager code paths (modeling_gpt2.py, modeling_llama.py with attn_implementation="eager",
a cache grown with torch.cat as DynamicCache does) and from the PPO step of OpenRLHF/DeepSpeed-Chat as EppoOrleans
runs it: no-grad scoring by actor, reference and critic, then one minibatch of actor and critic updates (clipped
surrogate and clipped value loss, gradient clipping at 1.0, Adam). Reads a job as JSON on stdin, prints timings as
JSON on stdout. Run with Debian's python3-torch and libopenblas0-pthread (the reference BLAS is ~30x slower): the
peer looks at the BLAS its own process has mapped and refuses, in one line on stderr with exit code 3, to run on
Debian's reference BLAS. `torch_peer.py --check-blas` does only that check; `torch_peer.py --check-blas PATH…`
judges those paths as if they were the mapped files (what the tests use: the verdict, whatever BLAS this machine has).
"""
import json
import math
import os
import struct
import sys
import time


REFERENCE_BLAS = 3  # exit code: the process runs on Debian's reference BLAS


def mapped_libraries():
    """Every file this process has mapped, from /proc/self/maps, after a matmul (torch links its BLAS, so importing
    torch maps it; the product makes sure)."""
    torch.ones(8, 8) @ torch.ones(8, 8)
    with open("/proc/self/maps") as f:
        return sorted({fields[-1] for fields in (line.split() for line in f) if len(fields) >= 6 and fields[-1].startswith("/")})


def is_reference_blas(path):
    """Debian installs its netlib reference BLAS as .../blas/libblas.so.3; the fast ones (OpenBLAS, BLIS, ATLAS) come
    through the same libblas.so.3 alternative from directories of their own (openblas-pthread/, blis-openmp/, …)."""
    return os.path.basename(os.path.dirname(path)) == "blas" and os.path.basename(path).startswith("libblas.so")


def blas_among(paths):
    """(library, is the reference BLAS) for a process that has mapped these files: the reference BLAS whenever it is
    mapped (torch's libblas.so.3 then resolves to it), else the first BLAS library, else torch's own (None)."""
    reference = [p for p in paths if is_reference_blas(p)]
    if reference:
        return reference[0], True
    names = ("libblas.so", "libopenblas", "libblis", "libmkl")
    libraries = [p for p in paths if os.path.basename(p).startswith(names)]
    return (libraries[0] if libraries else None), False


def refuse_reference_blas(paths):
    """Exits with one line on stderr when these mapped files put torch on the reference BLAS; else names the library."""
    blas, reference = blas_among(paths)
    if reference:
        print(f"the PyTorch peer would run on Debian's reference BLAS ({blas}), about 30x slower than OpenBLAS, so it does not "
              "compare: apt install libopenblas0-pthread (or pass --no-peer)", file=sys.stderr)
        sys.exit(REFERENCE_BLAS)
    return blas or "built into torch"


if __name__ == "__main__" and sys.argv[1:2] == ["--check-blas"] and len(sys.argv) > 2:
    # Given paths are judged without importing torch, which takes seconds (the tests judge many).
    print(json.dumps({"blas": refuse_reference_blas(sys.argv[2:])}))
    sys.exit(0)

import torch  # noqa: E402 (after the check above, which must not wait for it)
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def read_safetensors(path):
    """name -> float32 tensor, viewing one buffer read in a single pass (what safetensors' load_file does on CPU)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = bytearray(os.path.getsize(path) - 8 - n)
        f.readinto(data)
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise SystemExit(f"peer: {name} is {entry['dtype']}; the benchmark writes F32")
        a, b = entry["data_offsets"]
        out[name] = torch.frombuffer(data, dtype=torch.float32, offset=a, count=(b - a) // 4).view(entry["shape"])
    return out


class RmsNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def attend(q, k, v, causal):
    att = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    if causal:
        t, tk = q.shape[-2], k.shape[-2]
        mask = torch.ones(t, tk, dtype=torch.bool).tril(tk - t)
        att = att.masked_fill(~mask, torch.finfo(att.dtype).min)
    return att.softmax(-1) @ v


class Gpt2Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["n_embd"]
        self.heads = c["n_head"]
        self.ln_1, self.ln_2 = nn.LayerNorm(d, eps=c["layer_norm_epsilon"]), nn.LayerNorm(d, eps=c["layer_norm_epsilon"])
        self.c_attn, self.attn_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.c_fc, self.mlp_proj = nn.Linear(d, c.get("n_inner") or 4 * d), nn.Linear(c.get("n_inner") or 4 * d, d)

    def forward(self, x, past, positions):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=-1)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        if past is not None:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
        y = attend(q, k, v, causal=t > 1).transpose(1, 2).reshape(b, t, d)
        x = x + self.attn_proj(y)
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x, (k, v)


class LlamaBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.heads, self.kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        hd, inner, eps = d // self.heads, c["intermediate_size"], c["rms_norm_eps"]
        self.input_layernorm, self.post_attention_layernorm = RmsNorm(d, eps), RmsNorm(d, eps)
        self.q_proj, self.k_proj = nn.Linear(d, d, bias=False), nn.Linear(d, self.kv * hd, bias=False)
        self.v_proj, self.o_proj = nn.Linear(d, self.kv * hd, bias=False), nn.Linear(d, d, bias=False)
        self.gate_proj, self.up_proj = nn.Linear(d, inner, bias=False), nn.Linear(d, inner, bias=False)
        self.down_proj = nn.Linear(inner, d, bias=False)
        theta = c.get("rope_theta", 10000.0)
        self.register_buffer("inv_freq", 1.0 / (theta ** (torch.arange(0, hd, 2).float() / hd)), persistent=False)

    def forward(self, x, past, positions):
        b, t, d = x.shape
        hd = d // self.heads
        a = self.input_layernorm(x)
        q = self.q_proj(a).view(b, t, self.heads, hd).transpose(1, 2)
        k = self.k_proj(a).view(b, t, self.kv, hd).transpose(1, 2)
        v = self.v_proj(a).view(b, t, self.kv, hd).transpose(1, 2)
        freqs = positions.float()[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), -1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if past is not None:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
        rep = self.heads // self.kv
        kk = k[:, :, None].expand(b, self.kv, rep, k.shape[2], hd).reshape(b, self.heads, k.shape[2], hd)
        vv = v[:, :, None].expand(b, self.kv, rep, v.shape[2], hd).reshape(b, self.heads, v.shape[2], hd)
        y = attend(q, kk, vv, causal=t > 1).transpose(1, 2).reshape(b, t, d)
        x = x + self.o_proj(y)
        m = self.post_attention_layernorm(x)
        x = x + self.down_proj(F.silu(self.gate_proj(m)) * self.up_proj(m))
        return x, (k, v)


class Decoder(nn.Module):
    """A decoder with a tied LM head (kind "lm") or a scalar value head on the last hidden state (kind "value")."""

    def __init__(self, c, kind):
        super().__init__()
        self.gpt2 = c["model_type"] == "gpt2"
        d = c["n_embd"] if self.gpt2 else c["hidden_size"]
        vocab = c["vocab_size"]
        self.embed = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(c["n_positions"], d) if self.gpt2 else None
        layers = c["n_layer"] if self.gpt2 else c["num_hidden_layers"]
        self.blocks = nn.ModuleList([(Gpt2Block if self.gpt2 else LlamaBlock)(c) for _ in range(layers)])
        self.norm = nn.LayerNorm(d, eps=c["layer_norm_epsilon"]) if self.gpt2 else RmsNorm(d, c["rms_norm_eps"])
        self.kind = kind
        self.value = nn.Linear(d, 1) if kind == "value" else None

    def forward(self, ids, past=None):
        start = 0 if past is None else past[0][0].shape[2]
        positions = torch.arange(start, start + ids.shape[1])
        x = self.embed(ids) + (self.wpe(positions)[None] if self.gpt2 else 0)
        cache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if past is None else past[i], positions)
            cache.append(kv)
        x = self.norm(x)
        head = x @ self.embed.weight.T if self.kind == "lm" else self.value(x).squeeze(-1)
        return head, cache

    def load_hf(self, tensors):
        """Hugging Face names (GPT-2's Conv1D stored in x out) into this module, parameter by parameter."""
        def get(name):
            return tensors.get(name, tensors.get("transformer." + name))
        with torch.no_grad():
            if self.gpt2:
                self.embed.weight.copy_(get("wte.weight"))
                self.wpe.weight.copy_(get("wpe.weight"))
                for i, blk in enumerate(self.blocks):
                    p = f"h.{i}."
                    for ours, theirs in ((blk.ln_1, "ln_1"), (blk.ln_2, "ln_2")):
                        ours.weight.copy_(get(p + theirs + ".weight"))
                        ours.bias.copy_(get(p + theirs + ".bias"))
                    for ours, theirs in ((blk.c_attn, "attn.c_attn"), (blk.attn_proj, "attn.c_proj"), (blk.c_fc, "mlp.c_fc"), (blk.mlp_proj, "mlp.c_proj")):
                        ours.weight.copy_(get(p + theirs + ".weight").t())
                        ours.bias.copy_(get(p + theirs + ".bias"))
                self.norm.weight.copy_(get("ln_f.weight"))
                self.norm.bias.copy_(get("ln_f.bias"))
            else:
                self.embed.weight.copy_(tensors["model.embed_tokens.weight"])
                for i, blk in enumerate(self.blocks):
                    p = f"model.layers.{i}."
                    for name in ("input_layernorm", "post_attention_layernorm"):
                        getattr(blk, name).weight.copy_(tensors[p + name + ".weight"])
                    for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
                        getattr(blk, name).weight.copy_(tensors[p + "self_attn." + name + ".weight"])
                    for name in ("gate_proj", "up_proj", "down_proj"):
                        getattr(blk, name).weight.copy_(tensors[p + "mlp." + name + ".weight"])
                self.norm.weight.copy_(tensors["model.norm.weight"])


def generate(model, prompts, new_tokens):
    """Greedy decoding with the KV cache, no EOS: (B, new_tokens) ids."""
    with torch.no_grad():
        logits, cache = model(prompts)
        out = []
        for step in range(new_tokens):
            token = logits[:, -1].argmax(-1, keepdim=True)
            out.append(token)
            if step + 1 < new_tokens:
                logits, cache = model(token, cache)
        return torch.cat(out, 1)


def score(model, tokens, prompt_length):
    """Log-probabilities and entropy of the response tokens under teacher forcing."""
    logits, _ = model(tokens)
    logp = logits[:, prompt_length - 1:-1].log_softmax(-1)
    taken = logp.gather(-1, tokens[:, prompt_length:, None]).squeeze(-1)
    return taken, -(logp.exp() * logp).sum(-1)


def ppo_step(actor, reference, critic, actor_opt, critic_opt, tokens, prompt_length, scores):
    with torch.no_grad():
        old, entropy = score(actor, tokens, prompt_length)
        ref, _ = score(reference, tokens, prompt_length)
        old_values = critic(tokens)[0][:, prompt_length - 1:-1]
    rewards = -0.05 * (old - ref)
    rewards[:, -1] += scores
    advantages, last = torch.zeros_like(rewards), torch.zeros(rewards.shape[0])
    for t in reversed(range(rewards.shape[1])):
        following = old_values[:, t + 1] if t + 1 < rewards.shape[1] else torch.zeros(rewards.shape[0])
        last = rewards[:, t] + following - old_values[:, t] + 0.95 * last
        advantages[:, t] = last
    returns = advantages + old_values
    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)

    new, _ = score(actor, tokens, prompt_length)
    ratio = (new - old).exp()
    loss = -torch.min(ratio * advantages, ratio.clamp(0.8, 1.2) * advantages).mean()
    actor_opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(actor.parameters(), 1.0)
    actor_opt.step()

    values = critic(tokens)[0][:, prompt_length - 1:-1]
    clipped = old_values + (values - old_values).clamp(-0.2, 0.2)
    value_loss = 0.5 * torch.max((values - returns) ** 2, (clipped - returns) ** 2).mean()
    critic_opt.zero_grad()
    value_loss.backward()
    nn.utils.clip_grad_norm_(critic.parameters(), 1.0)
    critic_opt.step()


def main():
    if sys.argv[1:2] == ["--check-blas"]:
        blas = refuse_reference_blas(mapped_libraries())
        print(json.dumps({"torch": torch.__version__, "blas": blas}))
        return
    blas = refuse_reference_blas(mapped_libraries())
    job = json.load(sys.stdin)
    torch.set_num_threads(job["threads"])
    torch.manual_seed(job["seed"])
    with open(os.path.join(job["dir"], "config.json")) as f:
        config = json.load(f)
    prompts = torch.tensor(job["prompts"])
    responses = torch.tensor(job["responses"])
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas}

    start = time.perf_counter()
    actor = Decoder(config, "lm")
    actor.load_hf(read_safetensors(os.path.join(job["dir"], "model.safetensors")))
    result["load_s"] = time.perf_counter() - start
    actor.eval()

    generate(actor, prompts, 4)  # warm-up
    start = time.perf_counter()
    generated = generate(actor, prompts, job["new_tokens"])
    result["generation_s"] = time.perf_counter() - start
    result["generated"] = generated.tolist()

    reference = Decoder(config, "lm")
    reference.load_state_dict(actor.state_dict())
    critic = Decoder(config, "value")
    critic.load_state_dict(actor.state_dict(), strict=False)
    for p in reference.parameters():
        p.requires_grad = False
    actor_opt = torch.optim.Adam(actor.parameters(), lr=1e-6)
    critic_opt = torch.optim.Adam(critic.parameters(), lr=1e-5)
    tokens = torch.cat([prompts, responses], 1)
    scores = torch.tensor(job["scores"])
    times = []
    for _ in range(job["train_steps"] + 1):  # the first is a warm-up (Adam allocates its state)
        start = time.perf_counter()
        ppo_step(actor, reference, critic, actor_opt, critic_opt, tokens, prompts.shape[1], scores)
        times.append(time.perf_counter() - start)
    result["ppo_step_s"] = sorted(times[1:])[len(times[1:]) // 2]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
