"""W1b peers: one epoch of 784-128-10 ReLU, softmax cross-entropy, Adam (lr 1e-3, betas 0.9/0.999,
eps 1e-8), batch 64, Kaiming-normal weights and zero biases, in PyTorch and in numpy."""
import time

import numpy as np

from common import run_epoch_bench

SIZES = [784, 128, 10]
BATCH = 64
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


def torch_epoch(args, tx, ty, vx, vy):
    import torch
    x_all, y_all = torch.from_numpy(tx), torch.from_numpy(ty.astype(np.int64))
    x_test = torch.from_numpy(vx)

    def epoch(n):
        g = torch.Generator().manual_seed(args.seed)
        l1, l2 = torch.nn.Linear(784, 128), torch.nn.Linear(128, 10)
        with torch.no_grad():
            for layer in (l1, l2):
                layer.weight.normal_(0, (2 / layer.in_features) ** 0.5, generator=g)
                layer.bias.zero_()
        params = [*l1.parameters(), *l2.parameters()]
        opt = torch.optim.Adam(params, lr=LR, betas=(BETA1, BETA2), eps=EPS)
        order = torch.randperm(n, generator=g)
        start = time.perf_counter()
        for b in range(0, n, BATCH):
            idx = order[b : b + BATCH]
            loss = torch.nn.functional.cross_entropy(l2(torch.relu(l1(x_all[idx]))), y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            acc = (l2(torch.relu(l1(x_test))).argmax(1).numpy() == vy).mean()
        return seconds, float(acc)

    return epoch


def numpy_epoch(args, tx, ty, vx, vy):
    def epoch(n):
        rng = np.random.default_rng(args.seed)
        params = [
            (rng.standard_normal((128, 784), dtype=np.float32) * np.float32((2 / 784) ** 0.5)),
            np.zeros(128, np.float32),
            (rng.standard_normal((10, 128), dtype=np.float32) * np.float32((2 / 128) ** 0.5)),
            np.zeros(10, np.float32),
        ]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        order = rng.permutation(n)
        start = time.perf_counter()
        for step, b in enumerate(range(0, n, BATCH), start=1):
            idx = order[b : b + BATCH]
            x, y = tx[idx], ty[idx]
            w1, b1, w2, b2 = params
            z1 = x @ w1.T + b1  # (n, 128)
            a1 = np.maximum(z1, 0)
            logits = a1 @ w2.T + b2  # (n, 10)
            p = np.exp(logits - logits.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
            dlogits = p
            dlogits[np.arange(len(idx)), y] -= 1
            dlogits /= len(idx)  # ∂(mean cross-entropy)/∂logits = (softmax − onehot) / n
            da1 = dlogits @ w2
            dz1 = da1 * (z1 > 0)
            grads = [dz1.T @ x, dz1.sum(0), dlogits.T @ a1, dlogits.sum(0)]
            for i, g in enumerate(grads):
                m[i] = BETA1 * m[i] + (1 - BETA1) * g
                v[i] = BETA2 * v[i] + (1 - BETA2) * g * g
                m_hat = m[i] / (1 - BETA1**step)
                v_hat = v[i] / (1 - BETA2**step)
                params[i] -= (LR * m_hat / (np.sqrt(v_hat) + EPS)).astype(np.float32)
        seconds = time.perf_counter() - start
        w1, b1, w2, b2 = params
        logits = np.maximum(vx @ w1.T + b1, 0) @ w2.T + b2
        return seconds, float((logits.argmax(1) == vy).mean())

    return epoch


def main():
    run_epoch_bench({"torch": ("PyTorch", torch_epoch), "numpy": ("numpy", numpy_epoch)})


if __name__ == "__main__":
    main()
