#!/usr/bin/env python3
"""PyTorch reference cases for nnlab's convolution and pooling: writes test/fixtures/conv-torch.json.

Same format, rounding and command line as gen_reference.py beside it (--seed, --out, --check):

  /usr/bin/python3 scripts/reference/gen_conv_reference.py           # rewrite test/fixtures/conv-torch.json
  /usr/bin/python3 scripts/reference/gen_conv_reference.py --check   # exit 1 when the committed file differs
"""
import os

import torch.nn.functional as F

from gen_reference import ROOT, Cases, main

DEFAULT_OUT = os.path.join(ROOT, "test", "fixtures", "conv-torch.json")

# conv2d: (N, Cin, H, W, Cout, kernel, stride, padding, dilation, groups, bias)
CONVS = [
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
# pooling: (N, C, H, W, kernel, stride, padding, dilation); avg_pool2d has no dilation
POOLS = [
    (2, 3, 8, 8, (2, 2), (2, 2), (0, 0), (1, 1)),
    (1, 2, 7, 9, (3, 3), (2, 2), (1, 1), (1, 1)),
    (2, 1, 9, 8, (3, 2), (1, 2), (1, 0), (1, 1)),
    (1, 2, 10, 10, (2, 2), (1, 1), (1, 1), (2, 2)),
]


def generate(seed):
    c = Cases(seed)
    for n, cin, h, w, cout, k, s, p, d, groups, bias in CONVS:
        inputs = [c.rnd(n, cin, h, w), c.rnd(cout, cin // groups, *k)] + ([c.rnd(cout)] if bias else [])
        params = {"stride": list(s), "padding": list(p), "dilation": list(d), "groups": groups}
        c.add("conv2d", lambda x, wt, b=None: F.conv2d(x, wt, b, s, p, d, groups), inputs, params)
    for n, ch, h, w, k, s, p, d in POOLS:
        params = {"kernel": list(k), "stride": list(s), "padding": list(p), "dilation": list(d)}
        c.add("max_pool2d", lambda x: F.max_pool2d(x, k, s, p, d), [c.rnd(n, ch, h, w)], params)
        if d == (1, 1):
            c.add("avg_pool2d", lambda x: F.avg_pool2d(x, k, s, p), [c.rnd(n, ch, h, w)], {"kernel": list(k), "stride": list(s), "padding": list(p)})
    return c.cases


if __name__ == "__main__":
    main(generate, DEFAULT_OUT, "scripts/reference/gen_conv_reference.py", __doc__)
