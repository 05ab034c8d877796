"""cnn bench peer: one epoch of nnlab's CNN preset in PyTorch — 5×5 convolutions to 16 and 32 maps, each
with ReLU and 2×2 max-pooling, a 512-128-10 ReLU head, softmax cross-entropy, Adam lr 2e-3, batch 64
(the blocks and head come from the command line, so they follow the preset)."""
import json
import time

from common import run_epoch_bench


def torch_epoch(args, tx, ty, vx, vy):
    import torch
    import torch.nn.functional as F

    arch = json.loads(args.arch)
    x_all, y_all = torch.from_numpy(tx).view(-1, 1, 28, 28), torch.from_numpy(ty.astype("int64"))
    x_test = torch.from_numpy(vx).view(-1, 1, 28, 28)

    def epoch(n):
        torch.manual_seed(args.seed)
        convs, channels = [], 1
        for b in arch["blocks"]:
            convs.append(torch.nn.Conv2d(channels, b["channels"], b["kernel"], padding=b["padding"]))
            channels = b["channels"]
        sizes = arch["head"]
        dense = [torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]
        params = [p for m in convs + dense for p in m.parameters()]
        opt = torch.optim.Adam(params, lr=arch["lr"])

        def forward(a):
            for conv, b in zip(convs, arch["blocks"]):
                a = F.relu(conv(a))
                if b["pool"] > 1:
                    a = F.max_pool2d(a, b["pool"])
            a = a.flatten(1)
            for i, layer in enumerate(dense):
                a = layer(a)
                if i < len(dense) - 1:
                    a = F.relu(a)
            return a

        order = torch.randperm(n)
        batch = arch["batch"]
        start = time.perf_counter()
        for b in range(0, n, batch):
            idx = order[b : b + batch]
            cost = F.cross_entropy(forward(x_all[idx]), y_all[idx])
            opt.zero_grad()
            cost.backward()
            opt.step()
            cost.item()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            acc = sum((forward(x_test[s : s + 1000]).argmax(1).numpy() == vy[s : s + 1000]).sum() for s in range(0, len(vy), 1000)) / len(vy)
        return seconds, float(acc)

    return epoch


def main():
    run_epoch_bench({"torch": ("PyTorch", torch_epoch)}, lambda p: p.add_argument("--arch", required=True, help="JSON: blocks, head sizes, lr, batch"))


if __name__ == "__main__":
    main()
