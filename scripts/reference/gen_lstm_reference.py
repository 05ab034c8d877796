#!/usr/bin/env python3
"""PyTorch reference cases for nnlab's LSTM layer: writes test/fixtures/lstm-torch.json.

Each case runs torch.nn.LSTM (batch_first) on random float32 inputs, initial states and weights; the
case's output is [output (B, T, H), h_n (L, B, H), c_n (L, B, H)] flattened and joined, so the gradients
(with respect to x, h0, c0 and every weight) flow through the whole sequence and both final states.
Same format, rounding and command line as gen_reference.py beside it (--seed, --out, --check):

  /usr/bin/python3 scripts/reference/gen_lstm_reference.py           # rewrite test/fixtures/lstm-torch.json
  /usr/bin/python3 scripts/reference/gen_lstm_reference.py --check   # exit 1 when the committed file differs
"""
import os

import torch

from gen_reference import ROOT, Cases, main

DEFAULT_OUT = os.path.join(ROOT, "test", "fixtures", "lstm-torch.json")

# (batch, time steps, input size, hidden size, layers)
LSTMS = [
    (1, 1, 1, 1, 1),
    (2, 5, 3, 4, 1),
    (3, 7, 5, 6, 1),
    (2, 4, 3, 5, 2),
    (1, 9, 8, 3, 1),
    (4, 3, 2, 7, 2),
]


def lstm(layers, hidden):
    """fn(x, h0, c0, w_ih_l0, w_hh_l0, b_ih_l0, b_hh_l0, ...): torch.nn.LSTM's computation with these weights.

    torch.nn.LSTM.forward calls torch._VF.lstm with the module's flat weight list; calling it directly
    with the case's leaves puts the gradients on them. Each case is also checked against a real
    nn.LSTM module holding copies of the weights (same output to 1e-12)."""

    def fn(x, h0, c0, *weights):
        out, h, c = torch._VF.lstm(x, (h0, c0), list(weights), True, layers, 0.0, False, False, True)
        module = torch.nn.LSTM(x.shape[2], hidden, layers, batch_first=True).double()
        with torch.no_grad():
            for p, w in zip(module._flat_weights, weights):
                p.copy_(w)
            m_out, (m_h, m_c) = module(x, (h0, c0))
        for a, b in ((out, m_out), (h, m_h), (c, m_c)):
            assert torch.allclose(a, b, rtol=0, atol=1e-12), "torch._VF.lstm differs from nn.LSTM"
        return torch.cat([out.reshape(-1), h.reshape(-1), c.reshape(-1)])

    return fn


def generate(seed):
    c = Cases(seed)
    for b, t, n_in, h, layers in LSTMS:
        inputs = [c.rnd(b, t, n_in), c.rnd(layers, b, h, scale=0.5), c.rnd(layers, b, h, scale=0.5)]
        for l in range(layers):
            width = n_in if l == 0 else h
            inputs += [c.rnd(4 * h, width, scale=0.5), c.rnd(4 * h, h, scale=0.5), c.rnd(4 * h, scale=0.2), c.rnd(4 * h, scale=0.2)]
        params = {"layers": layers, "hidden": h, "definition": "torch.nn.LSTM(batch_first=True); output = cat(out, h_n, c_n) flattened; inputs x, h0, c0, then w_ih, w_hh, b_ih, b_hh per layer"}
        c.add("lstm", lstm(layers, h), inputs, params)
    return c.cases


if __name__ == "__main__":
    main(generate, DEFAULT_OUT, "scripts/reference/gen_lstm_reference.py", __doc__)
