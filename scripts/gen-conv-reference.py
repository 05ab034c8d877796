#!/usr/bin/env python3
"""PyTorch reference cases for nnlab's convolution and pooling ops (test/fixtures/conv-torch.json).

Same format as the op reference files nnlab selftest reads: each case has named op, params, float
inputs (rounded to float32 first), the output computed in float64 and the gradients of
sum(output * upstream) with respect to every input. Usage (Debian's python3-torch):
  /usr/bin/python3 scripts/gen-conv-reference.py [SEED] [OUT.json]
"""
import json
import sys

import torch
import torch.nn.functional as F

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
out = sys.argv[2] if len(sys.argv) > 2 else "test/fixtures/conv-torch.json"
g = torch.Generator().manual_seed(seed)
torch.set_default_dtype(torch.float64)


def rnd(*shape):
    return torch.randn(*shape, generator=g).float().double()  # values exactly representable in float32


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def case(name, fn, inputs, params):
    leaves = [x.clone().requires_grad_(True) for x in inputs]
    y = fn(*leaves)
    up = rnd(*y.shape)
    (y * up).sum().backward()
    return {
        "op": name,
        "params": params,
        "inputs": [{"shape": list(x.shape), "data": flat(x)} for x in inputs],
        "output": {"shape": list(y.shape), "data": flat(y)},
        "upstream": {"shape": list(up.shape), "data": flat(up)},
        "grads": [{"shape": list(l.shape), "data": flat(l.grad)} for l in leaves],
    }


cases = []
# conv2d: (N, Cin, H, W, Cout, k, stride, padding, dilation, groups, bias)
convs = [
    (2, 1, 7, 7, 3, (3, 3), (1, 1), (0, 0), (1, 1), 1, True),
    (2, 3, 8, 9, 4, (3, 3), (1, 1), (1, 1), (1, 1), 1, True),
    (1, 2, 9, 8, 3, (5, 5), (2, 2), (2, 2), (1, 1), 1, False),
    (2, 2, 10, 9, 4, (3, 2), (2, 1), (1, 0), (1, 1), 1, True),
    (1, 3, 11, 10, 2, (3, 3), (1, 2), (2, 1), (2, 2), 1, True),
    (2, 4, 7, 8, 6, (3, 3), (1, 1), (1, 1), (1, 1), 2, True),
    (1, 4, 6, 6, 4, (3, 3), (2, 2), (1, 1), (1, 1), 4, True),  # depthwise
    (3, 6, 5, 5, 3, (1, 1), (1, 1), (0, 0), (1, 1), 3, False),
    (2, 2, 12, 12, 3, (4, 4), (3, 3), (3, 1), (2, 1), 1, True),
]
for n, cin, h, w, cout, k, s, p, d, groups, bias in convs:
    x = rnd(n, cin, h, w)
    wt = rnd(cout, cin // groups, *k)
    inputs = [x, wt] + ([rnd(cout)] if bias else [])
    params = {"stride": list(s), "padding": list(p), "dilation": list(d), "groups": groups}
    cases.append(case("conv2d", lambda x, w, b=None: F.conv2d(x, w, b, s, p, d, groups), inputs, params))

# pooling: (N, C, H, W, kernel, stride, padding, dilation)
pools = [
    (2, 3, 8, 8, (2, 2), (2, 2), (0, 0), (1, 1)),
    (1, 2, 7, 9, (3, 3), (2, 2), (1, 1), (1, 1)),
    (2, 1, 9, 8, (3, 2), (1, 2), (1, 0), (1, 1)),
    (1, 2, 10, 10, (2, 2), (1, 1), (1, 1), (2, 2)),
]
for n, c, h, w, k, s, p, d in pools:
    params = {"kernel": list(k), "stride": list(s), "padding": list(p), "dilation": list(d)}
    cases.append(case("max_pool2d", lambda x: F.max_pool2d(x, k, s, p, d), [rnd(n, c, h, w)], params))
    if d == (1, 1):
        avg = {"kernel": list(k), "stride": list(s), "padding": list(p)}
        cases.append(case("avg_pool2d", lambda x: F.avg_pool2d(x, k, s, p), [rnd(n, c, h, w)], avg))

with open(out, "w") as f:
    json.dump({"generator": "scripts/gen-conv-reference.py", "seed": seed, "torch": torch.__version__, "cases": cases}, f)
print(f"{len(cases)} cases -> {out}")
