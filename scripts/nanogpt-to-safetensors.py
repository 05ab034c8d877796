#!/usr/bin/python3
"""Converts a nanoGPT checkpoint (ckpt.pt from train.py) into a Hugging Face GPT-2 directory that nnlab
(and transformers' GPT2LMHeadModel) loads: config.json + model.safetensors.

    /usr/bin/python3 scripts/nanogpt-to-safetensors.py out-shakespeare-char/ckpt.pt runs/from-nanogpt \\
        [--meta data/shakespeare_char/meta.pkl]

Needs only torch (and numpy, which torch uses to hand over bytes); the safetensors file is written with
plain struct/json, so the `safetensors` package is not needed. What it does:
- takes ckpt["model"] (dropping torch.compile's `_orig_mod.` prefix) and ckpt["model_args"];
- transposes the four projection matrices (nanoGPT's nn.Linear [out, in]) to GPT-2's Conv1D [in, out];
- drops `lm_head.weight` (nanoGPT ties it to `transformer.wte.weight`) and the `attn.bias` mask buffers;
- for a model trained with bias=False, writes zero biases (the same function) so HF can load it too,
  and records "nnlab": {"bias": false} in config.json;
- with --meta (the char dataset's meta.pkl), stores the character tokenizer for `nnlab gpt sample`.
"""
import argparse
import json
import os
import pickle
import struct
import sys

import torch

CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")


def write_safetensors(path, tensors, metadata):
    """safetensors: 8-byte little-endian header length, JSON header, then the tensors' bytes."""
    names = sorted(tensors)
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name in names:
        data = tensors[name].detach().to(torch.float32).contiguous().cpu().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def convert(ckpt_path, out_dir, meta_path=None):
    ckpt = torch.load(ckpt_path, map_location="cpu")
    if not isinstance(ckpt, dict) or "model" not in ckpt or "model_args" not in ckpt:
        sys.exit(f"{ckpt_path}: expected a nanoGPT checkpoint (a dict with 'model' and 'model_args'), found {type(ckpt).__name__}")
    args = ckpt["model_args"]
    state = {k[len("_orig_mod."):] if k.startswith("_orig_mod.") else k: v for k, v in ckpt["model"].items()}
    tensors = {}
    for key, value in state.items():
        if key == "lm_head.weight" or key.endswith(".attn.bias") and value.dim() == 4:
            continue  # tied to wte; causal-mask buffer
        if key.endswith(CONV1D):
            value = value.t()
        tensors[key] = value
    bias = bool(args.get("bias", True))
    if not bias:
        n_embd = args["n_embd"]
        sizes = {"ln_1": n_embd, "ln_2": n_embd, "attn.c_attn": 3 * n_embd, "attn.c_proj": n_embd, "mlp.c_fc": 4 * n_embd, "mlp.c_proj": n_embd}
        for layer in range(args["n_layer"]):
            for name, size in sizes.items():
                tensors[f"transformer.h.{layer}.{name}.bias"] = torch.zeros(size)
        tensors["transformer.ln_f.bias"] = torch.zeros(n_embd)
    nnlab = {"bias": bias, "dropout": float(args.get("dropout", 0.0))}
    if meta_path:
        with open(meta_path, "rb") as f:
            meta = pickle.load(f)
        itos = meta["itos"]
        nnlab["tokenizer"] = {"kind": "char", "chars": [itos[i] for i in range(len(itos))]}
    config = {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "n_layer": args["n_layer"],
        "n_head": args["n_head"],
        "n_embd": args["n_embd"],
        "n_positions": args["block_size"],
        "n_ctx": args["block_size"],
        "vocab_size": args["vocab_size"],
        "layer_norm_epsilon": 1e-5,
        "activation_function": "gelu",  # nanoGPT's nn.GELU() is the exact (erf) GELU
        "tie_word_embeddings": True,
        "nnlab": nnlab,
    }
    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), tensors, {"format": "pt"})
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    print(f"wrote {out_dir}/config.json and model.safetensors ({len(tensors)} tensors)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ckpt", help="nanoGPT's ckpt.pt")
    parser.add_argument("out", help="directory to write config.json and model.safetensors into")
    parser.add_argument("--meta", help="meta.pkl of a character dataset (stores the tokenizer)")
    a = parser.parse_args()
    convert(a.ckpt, a.out, a.meta)
