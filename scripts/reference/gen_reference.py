#!/usr/bin/env python3
"""PyTorch reference cases for nnlab's ops: writes test/fixtures/ops-torch.json (format: test/fixtures/README.md).

Each case is a named op, its float32 inputs, the op's output and the gradient of sum(output * upstream)
with respect to every float input. Inputs are drawn in float64, rounded to float32 (the values nnlab's
float32 tensors hold), and the op runs in float64 on exactly those values; outputs and gradients are
stored rounded to float32, each number in its shortest decimal form. Run with Debian's interpreter
(apt-get install python3-torch):

  /usr/bin/python3 scripts/reference/gen_reference.py                # rewrite test/fixtures/ops-torch.json
  /usr/bin/python3 scripts/reference/gen_reference.py --check        # exit 1 when the committed file differs
  /usr/bin/python3 scripts/reference/gen_reference.py --seed 2 --out /tmp/held-out.json

Shapes and values depend on the seed, so a second seed gives a held-out set. The same PyTorch version
and seed give the same file byte for byte.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join(ROOT, "test", "fixtures", "ops-torch.json")


def f32(t):
    """A float64 tensor holding t's values rounded to float32."""
    return t.to(torch.float32).to(torch.float64)


def short(v):
    """v rounded to float32, as the shortest decimal that reads back as that float32."""
    return float(repr(np.float32(v)))


def flat(t):
    return [short(v) for v in t.detach().reshape(-1).tolist()]


def tensor_json(t):
    return {"shape": list(t.shape), "data": flat(t)}


class Cases:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)
        self.cases = []

    def rnd(self, *shape, scale=1.0, positive=False):
        t = torch.randn(*shape, generator=self.g, dtype=torch.float64) * scale
        if positive:
            t = t.abs() + 0.1
        return f32(t)

    def dim(self, lo, hi):
        return int(torch.randint(lo, hi + 1, (1,), generator=self.g))

    def ints(self, hi, n):
        return torch.randint(0, hi, (n,), generator=self.g)

    def add(self, name, fn, inputs, params=None, int_inputs=None):
        leaves = [x.clone().requires_grad_(True) for x in inputs]
        ints = int_inputs or []
        y = fn(*leaves, *ints)
        up = self.rnd(*y.shape) if y.dim() > 0 else torch.tensor(1.0, dtype=torch.float64)
        (y * up).sum().backward()
        self.cases.append({
            "op": name,
            "params": params or {},
            "inputs": [tensor_json(x) for x in inputs],
            "int_inputs": [{"shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]} for t in ints],
            "output": tensor_json(y),
            "upstream": tensor_json(up),
            "grads": [tensor_json(leaf.grad) for leaf in leaves],
        })


def causal_attention(x, w_qkv, b_qkv, w_proj, b_proj, n_head):
    B, T, C = x.shape
    q, k, v = (x @ w_qkv + b_qkv).split(C, dim=2)
    hs = C // n_head
    q, k, v = [t.view(B, T, n_head, hs).transpose(1, 2) for t in (q, k, v)]  # (B, nh, T, hs)
    att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)  # (B, nh, T, T)
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    att = att.masked_fill(~mask, float("-inf")).softmax(-1)
    y = (att @ v).transpose(1, 2).reshape(B, T, C)  # (B, T, C)
    return y @ w_proj + b_proj


def generate(seed):
    c = Cases(seed)
    rnd, dim = c.rnd, c.dim
    for _ in range(3):
        m, k, n = dim(1, 17), dim(1, 33), dim(1, 19)
        c.add("matmul", lambda a, b: a @ b, [rnd(m, k), rnd(k, n)])
        bsz = dim(1, 4)
        c.add("batched_matmul", lambda a, b: a @ b, [rnd(bsz, m, k), rnd(bsz, k, n)])
        c.add("linear", lambda x, w, b: x @ w + b, [rnd(m, k), rnd(k, n), rnd(n)], {"definition": "x @ w + b, w is [in, out]"})
        r, cols = dim(1, 9), dim(1, 9)
        c.add("add_broadcast", lambda a, b: a + b, [rnd(r, cols), rnd(cols)])
        c.add("sub_broadcast", lambda a, b: a - b, [rnd(r, 1), rnd(r, cols)])
        c.add("mul_broadcast", lambda a, b: a * b, [rnd(r, cols), rnd(1, cols)])
        c.add("div", lambda a, b: a / b, [rnd(r, cols), rnd(r, cols, positive=True)])
        c.add("exp", torch.exp, [rnd(r, cols)])
        c.add("log", torch.log, [rnd(r, cols, positive=True)])
        c.add("sigmoid", torch.sigmoid, [rnd(r, cols, scale=3)])
        c.add("tanh", torch.tanh, [rnd(r, cols, scale=2)])
        c.add("relu", torch.relu, [rnd(r, cols)])
        c.add("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), [rnd(r, cols, scale=2)])
        c.add("gelu_erf", F.gelu, [rnd(r, cols, scale=2)])
        c.add("sum_all", lambda x: x.sum(), [rnd(r, cols)])
        c.add("sum_dim0", lambda x: x.sum(0), [rnd(r, cols)])
        c.add("mean_lastdim_keepdim", lambda x: x.mean(-1, keepdim=True), [rnd(r, cols)])
        c.add("max_lastdim", lambda x: x.max(-1).values, [rnd(r, cols)])
        c.add("transpose", lambda x: x.t(), [rnd(r, cols)])
        c.add("softmax_lastdim", lambda x: x.softmax(-1), [rnd(r, cols, scale=3)])
        c.add("log_softmax_lastdim", lambda x: x.log_softmax(-1), [rnd(r, cols, scale=3)])
        ncls = dim(2, 12)
        tgt = c.ints(ncls, r)
        c.add("cross_entropy_mean", lambda x, t: F.cross_entropy(x, t), [rnd(r, ncls, scale=2)],
              {"definition": "mean over rows of -log_softmax(logits)[target]"}, [tgt])
        c.add("mse_mean", lambda a, b: F.mse_loss(a, b), [rnd(r, cols), rnd(r, cols)], {"definition": "mean((a-b)^2) over all elements"})
        c.add("quadratic_cost_nielsen", lambda a, y: 0.5 * ((a - y) ** 2).sum(-1).mean(), [rnd(r, cols), rnd(r, cols)],
              {"definition": "mean over rows of 0.5*||a-y||^2 (Nielsen's C)"})
        c.add("layer_norm", lambda x, w, b: F.layer_norm(x, (cols,), w, b, 1e-5), [rnd(r, cols), rnd(cols), rnd(cols)], {"eps": 1e-5})
        vocab, d = dim(3, 20), dim(1, 8)
        idx = c.ints(vocab, r)
        c.add("embedding", lambda w, i: w[i], [rnd(vocab, d)], {}, [idx])
        B, T, H = dim(1, 3), dim(1, 9), dim(1, 3)
        C = H * dim(1, 4)
        c.add("causal_self_attention", lambda x, wq, bq, wp, bp: causal_attention(x, wq, bq, wp, bp, H),
              [rnd(B, T, C), rnd(C, 3 * C, scale=0.5), rnd(3 * C, scale=0.1), rnd(C, C, scale=0.5), rnd(C, scale=0.1)],
              {"n_head": H, "definition": "GPT-2 style: qkv = x@w_qkv+b_qkv split into q,k,v; heads; causal softmax(q k^T / sqrt(hs)); y@w_proj+b_proj"})
    return c.cases


def render(seed, generate=generate, script="scripts/reference/gen_reference.py"):
    """The file's text: a header object, then one case per line (small diffs when a case changes)."""
    head = {
        "generator": f"{script}, torch {torch.__version__}: float32 inputs, float64 computation, results rounded to float32",
        "seed": seed,
        "gradient_convention": "grads[i] = d sum(output*upstream) / d inputs[i]",
    }
    cases = generate(seed)
    lines = [json.dumps(case, separators=(",", ":")) for case in cases]
    return json.dumps(head)[:-1] + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n", len(cases)


def main(generate=generate, default_out=DEFAULT_OUT, script="scripts/reference/gen_reference.py", doc=__doc__):
    """The command line shared by the generators: --seed, --out, --check."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=default_out)
    ap.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    a = ap.parse_args()
    text, n = render(a.seed, generate, script)
    if a.check:
        with open(a.out, encoding="utf-8") as f:
            same = f.read() == text
        print(f"{a.out}: {'up to date' if same else 'differs from what the generator writes now'} ({n} cases)")
        sys.exit(0 if same else 1)
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, a.out)
    print(n, "cases ->", a.out)


if __name__ == "__main__":
    main()
