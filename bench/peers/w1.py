"""W1 peers: one epoch of the 3b1b network (784-16-16-10 sigmoid, quadratic cost, SGD mini-batch 10,
lr 3.0, N(0,1) init) in PyTorch and in numpy (Nielsen-style mini-batch backprop with matrix ops)."""
import time

import numpy as np

from common import one_hot, run_epoch_bench

SIZES = [784, 16, 16, 10]
BATCH = 10
LR = 3.0


def torch_epoch(args, tx, ty, vx, vy):
    import torch
    x_all, y_all = torch.from_numpy(tx), torch.from_numpy(one_hot(ty))
    x_test = torch.from_numpy(vx)

    def epoch(n):
        g = torch.Generator().manual_seed(args.seed)
        layers = [torch.nn.Linear(a, b) for a, b in zip(SIZES, SIZES[1:])]
        with torch.no_grad():
            for layer in layers:
                layer.weight.normal_(generator=g)
                layer.bias.normal_(generator=g)
        opt = torch.optim.SGD([p for layer in layers for p in layer.parameters()], lr=LR)

        def forward(a):
            for layer in layers:
                a = torch.sigmoid(layer(a))
            return a

        order = torch.randperm(n, generator=g)
        start = time.perf_counter()
        for b in range(0, n, BATCH):
            idx = order[b : b + BATCH]
            a, y = forward(x_all[idx]), y_all[idx]
            cost = 0.5 * ((a - y) ** 2).sum() / len(idx)  # mean over examples of ½‖a − y‖²
            opt.zero_grad()
            cost.backward()
            opt.step()
            cost.item()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            acc = (forward(x_test).argmax(1).numpy() == vy).mean()
        return seconds, float(acc)

    return epoch


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def numpy_epoch(args, tx, ty, vx, vy):
    y_all = one_hot(ty)

    def epoch(n):
        rng = np.random.default_rng(args.seed)
        ws = [rng.standard_normal((b, a), dtype=np.float32) for a, b in zip(SIZES, SIZES[1:])]  # W⁽ˡ⁾ [out, in]
        bs = [rng.standard_normal(b, dtype=np.float32) for b in SIZES[1:]]
        order = rng.permutation(n)
        start = time.perf_counter()
        for b in range(0, n, BATCH):
            idx = order[b : b + BATCH]
            acts = [tx[idx]]  # a⁽⁰⁾ (n, 784)
            for w, bias in zip(ws, bs):
                acts.append(sigmoid(acts[-1] @ w.T + bias))
            a, y = acts[-1], y_all[idx]
            delta = (a - y) * a * (1 - a) / len(idx)  # ∂C/∂z⁽ᴸ⁾ for the mean cost
            for layer in range(len(ws) - 1, -1, -1):
                grad_w, grad_b = delta.T @ acts[layer], delta.sum(0)
                if layer > 0:
                    prev = acts[layer]
                    delta = (delta @ ws[layer]) * prev * (1 - prev)
                ws[layer] -= LR * grad_w
                bs[layer] -= LR * grad_b
        seconds = time.perf_counter() - start
        a = vx
        for w, bias in zip(ws, bs):
            a = sigmoid(a @ w.T + bias)
        return seconds, float((a.argmax(1) == vy).mean())

    return epoch


def main():
    run_epoch_bench({"torch": ("PyTorch", torch_epoch), "numpy": ("numpy", numpy_epoch)})


if __name__ == "__main__":
    main()
