#!/usr/bin/python3
"""Tiny tokenizers in Hugging Face's file formats, and the ids Hugging Face's own code gives for sample texts.

Independent of EppoOrleans. Three byte-level BPE tokenizer.json files, each trained here on CORPUS with the
pre-tokenizer of one family (GPT-2: ByteLevel with its regex; Llama 3: Split on Llama 3's regex then ByteLevel, BOS
added by a TemplateProcessing post-processor; Qwen2: NFC, Split on Qwen2's regex then ByteLevel) and that family's
special tokens and tokenizer_config.json (chat_template copied from the model's published file). One SentencePiece
tokenizer.model trained with Debian's python3-sentencepiece the way Llama 2 was (BPE, byte fallback, split digits).

References, written to reference.json:
- tokenizer.json encodings and decodings by @huggingface/tokenizers (Hugging Face's JS port of `tokenizers`), run by
  reference.mjs with node;
- tokenizer.model encodings by sentencepiece itself;
- chat templates rendered by @huggingface/jinja (the engine transformers.js renders chat_template with).

Run: apt-get install python3-sentencepiece; (cd /tmp/tokref && npm install @huggingface/tokenizers@0.2.0
@huggingface/jinja@0.5.11); TOKREF=/tmp/tokref /usr/bin/python3 make_tokenizers.py
(reference.mjs is copied into TOKREF so that node resolves the packages there.)
"""
import collections
import json
import os
import re
import shutil
import subprocess
import tempfile

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))

CORPUS = """Human: What is the capital of France? Assistant: The capital of France is Paris, a city on the Seine.
Human: Can you help me write a short poem about the sea? Assistant: Of course! Here's a short poem about the sea.
The waves roll in and out again, they're singing songs we don't remember. I'll write it down, we'd all agree.
Numbers such as 12345, 3.14159 and 2024 appear in text; so do prices like $19.99 and times like 10:30.
Reinforcement learning from human feedback trains a policy against a learned reward model. The policy learns
to hack the reward model: verbose boilerplate, over-cautious refusals that ignore the question. Energy loss in
the final layer rises during training, and rises most on hacking responses. Naïve café owners say "déjà vu".
    Indented lines, tabs\tand  double  spaces, newlines\n\nand punctuation!? (brackets) [squares] {braces} -- done.
IT'S "quoted" WE'LL see. The end.
Unicode: 日本語のテキスト, Ελληνικά, русский текст, emoji 🙂🚀 and accents é è ê ë.
"""

SAMPLES = [
    "Hello world",
    "The capital of France is Paris.",
    "I'm sure they're right, we'll see; don't you think? She'd've said so.",
    "Numbers: 12345 and 3.14159, 1000000 or 2024-12-01.",
    "  leading spaces, trailing spaces   ",
    "line one\nline two\n\n\tindented\r\nwindows",
    "Naïve café, déjà vu, e\u0301 composed late.",
    "日本語 Ελληνικά русский 🙂🚀 mixed ascii",
    "ALL CAPS and MiXeD CaSe WORDS",
    "symbols #@$%^&*()_+-=[]{}|;:'\",.<>/?`~",
    "",
    "Human: Can you help me? Assistant: Of course.",
    "(brackets) [squares] {braces} \"quoted\" IT'S WE'LL -- done.\n\nNext!\n",
]

BYTE_LEVEL_FAMILIES = {
    "gpt2": {
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "normalizer": None,
        "specials": ["<|endoftext|>"],
        "bos": None,
        "config": {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
                   "model_max_length": 1024, "add_bos_token": False},
        "split": r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z\u00c0-\uffff]+| ?[0-9]+| ?[^\sA-Za-z0-9\u00c0-\uffff]+|\s+(?!\S)|\s+""",
    },
    "llama3": {
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
             "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "normalizer": None,
        "specials": ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
        "bos": "<|begin_of_text|>",
        "config": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "model_max_length": 131072,
                   "chat_template": "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"},
        "split": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\nA-Za-z0-9]?[A-Za-z\u00c0-\uffff]+|[0-9]{1,3}| ?[^\sA-Za-z0-9\u00c0-\uffff]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    },
    "qwen2": {
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
             "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "normalizer": {"type": "NFC"},
        "specials": ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        "bos": None,
        "config": {"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "model_max_length": 32768,
                   "chat_template": "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"},
        "split": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\nA-Za-z0-9]?[A-Za-z\u00c0-\uffff]+|[0-9]| ?[^\sA-Za-z0-9\u00c0-\uffff]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    },
}

VICUNA_TEMPLATE = ("{% if messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] %}{% set loop_messages = messages[1:] %}"
                   "{% else %}{% set system_message = \"A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions.\" %}{% set loop_messages = messages %}{% endif %}"
                   "{{ system_message + ' ' }}{% for message in loop_messages %}{% if message['role'] == 'user' %}{{ 'USER: ' + message['content'] + ' ' }}"
                   "{% elif message['role'] == 'assistant' %}{{ 'ASSISTANT: ' + message['content'] + eos_token }}{% endif %}{% endfor %}"
                   "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}")

CONVERSATIONS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi there"},
     {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "  Name a colour.  "}],
]


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map (the ByteLevel alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def train_byte_level_bpe(split_pattern, merges_wanted):
    """Plain BPE training on the byte-level words of CORPUS: repeatedly merge the most frequent adjacent pair."""
    alphabet = bytes_to_unicode()
    words = collections.Counter(
        tuple(alphabet[b] for b in piece.encode("utf-8")) for piece in re.findall(split_pattern, CORPUS))
    vocab = {alphabet[b]: i for i, b in enumerate(sorted(alphabet))}
    merges = []
    while len(merges) < merges_wanted:
        pairs = collections.Counter()
        for word, count in words.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += count
        if not pairs:
            break
        (a, b), _ = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append(f"{a} {b}")
        vocab[a + b] = len(vocab)
        merged = collections.Counter()
        for word, count in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == a and word[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += count
        words = merged
    return vocab, merges


def write_byte_level(name, family):
    vocab, merges = train_byte_level_bpe(family["split"], 5000)  # until every word of CORPUS is one token
    added = [{"id": len(vocab) + i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, s in enumerate(family["specials"])]
    post = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}
    if family["bos"]:
        bos_id = len(vocab) + family["specials"].index(family["bos"])
        post = {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": family["bos"], "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": family["bos"], "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": family["bos"], "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {family["bos"]: {"id": family["bos"], "ids": [bos_id], "tokens": [family["bos"]]}}}]}
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": family["normalizer"], "pre_tokenizer": family["pre_tokenizer"], "post_processor": post,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": name == "llama3",
                  "vocab": vocab, "merges": merges},
    }
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=1)
    config = dict(family["config"])
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, ensure_ascii=False, indent=1)


def write_sentencepiece():
    out = os.path.join(HERE, "llama2-sp")
    os.makedirs(out, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(CORPUS * 3)
        corpus = f.name
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=os.path.join(out, "tokenizer"), model_type="bpe", vocab_size=400,
        byte_fallback=True, split_digits=True, character_coverage=0.9995, normalization_rule_name="identity",
        remove_extra_whitespaces=False, add_dummy_prefix=True, allow_whitespace_only_pieces=True,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1, num_threads=1, minloglevel=2)
    os.remove(corpus)
    os.remove(os.path.join(out, "tokenizer.vocab"))
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "add_bos_token": True,
                   "add_eos_token": False, "model_max_length": 2048, "tokenizer_class": "LlamaTokenizer",
                   "chat_template": VICUNA_TEMPLATE}, f, ensure_ascii=False, indent=1)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(out, "tokenizer.model"))
    return {"vocab_size": sp.get_piece_size(),
            "encodings": [{"text": s, "ids": [sp.bos_id()] + sp.encode(s), "decoded": sp.decode(sp.encode(s))} for s in SAMPLES]}


def main():
    for name, family in BYTE_LEVEL_FAMILIES.items():
        write_byte_level(name, family)
    specials = {"gpt2": ["<|endoftext|>"], "llama3": ["<|start_header_id|>", "<|eot_id|>"], "qwen2": ["<|im_start|>", "<|im_end|>"]}
    samples = SAMPLES + [f"{specials['llama3'][0]}user{specials['llama3'][0]} hi{specials['llama3'][1]}",
                         "<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n", "end<|endoftext|>next"]
    job = {"dir": HERE, "names": list(BYTE_LEVEL_FAMILIES), "samples": samples, "conversations": CONVERSATIONS,
           "vicuna": VICUNA_TEMPLATE}
    tokref = os.environ.get("TOKREF", "/tmp/tokref")
    shutil.copy(os.path.join(HERE, "reference.mjs"), tokref)
    js = subprocess.run(["node", os.path.join(tokref, "reference.mjs")], input=json.dumps(job), capture_output=True,
                        text=True, check=True)
    reference = json.loads(js.stdout)
    reference["llama2-sp"] = write_sentencepiece()
    with open(os.path.join(HERE, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
