"""W2 peer: nanoGPT's char-level Shakespeare training on CPU, with nanoGPT's model (model.py: pre-LN
blocks, no biases, tied wte/lm_head, GPT-2 init) and loop (train.py: AdamW betas (0.9, 0.99) with weight
decay 0.1 on matrices only, linear warm-up then cosine decay to min_lr, gradient clipping at 1.0,
get_batch's random windows), settings of its "I only have a macbook" run: block_size 64, batch 12,
4 layers, 4 heads, width 128, dropout 0, lr 1e-3, warmup 100, lr_decay_iters 2000, min_lr 1e-4,
no torch.compile. Times --iters training iterations (ms/iter, eval excluded) per thread count and
reports the validation loss (eval_iters batches) after them."""
import math
import os
import time

from common import emit, parse_args


def extra_args(p):
    p.add_argument("--text", default="", help="tiny Shakespeare input.txt")
    p.add_argument("--iters", type=int, default=50, help="training iterations to time")
    p.add_argument("--max-iters", type=int, default=2000, help="the schedule's length (lr_decay_iters = max_iters)")
    p.add_argument("--eval-iters", type=int, default=20)


def main():
    args = parse_args(extra_args)
    if not os.path.exists(args.text):
        emit([{"case": "train", "impl": "PyTorch", "threads": None, "seconds": [], "note": f"skipped: {args.text or 'no --text'} not found"}])
        return
    import numpy as np
    import torch
    import torch.nn as nn
    from torch.nn import functional as F

    block_size, batch_size, n_layer, n_head, n_embd = 64, 12, 4, 4, 128
    learning_rate, min_lr, warmup_iters, lr_decay_iters = 1e-3, 1e-4, 100, args.max_iters
    weight_decay, beta1, beta2, grad_clip = 1e-1, 0.9, 0.99, 1.0

    # prepare.py: characters to ints, first 90% train, last 10% val
    text = open(args.text, encoding="utf-8").read()
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = np.array([stoi[c] for c in text], dtype=np.uint16)
    n = int(0.9 * len(data))
    splits = {"train": data[:n], "val": data[n:]}
    vocab_size = len(chars)

    def get_batch(split):
        d = splits[split]
        ix = torch.randint(len(d) - block_size, (batch_size,))
        x = torch.stack([torch.from_numpy(d[i : i + block_size].astype(np.int64)) for i in ix])
        y = torch.stack([torch.from_numpy(d[i + 1 : i + 1 + block_size].astype(np.int64)) for i in ix])
        return x, y

    class LayerNorm(nn.Module):
        def __init__(self, ndim):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(ndim))

        def forward(self, x):
            return F.layer_norm(x, self.weight.shape, self.weight, None, 1e-5)

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=False)
            self.c_proj = nn.Linear(n_embd, n_embd, bias=False)
            self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(n_embd, dim=2)
            k = k.view(B, T, n_head, C // n_head).transpose(1, 2)  # (B, nh, T, hs)
            q = q.view(B, T, n_head, C // n_head).transpose(1, 2)
            v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=False)
            self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=False)

        def forward(self, x):
            return self.c_proj(F.gelu(self.c_fc(x)))  # nanoGPT's nn.GELU(): the exact (erf) form

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn, self.ln_2, self.mlp = LayerNorm(n_embd), CausalSelfAttention(), LayerNorm(n_embd), MLP()

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(vocab_size, n_embd), nn.Embedding(block_size, n_embd)
            self.h = nn.ModuleList([Block() for _ in range(n_layer)])
            self.ln_f = LayerNorm(n_embd)
            self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
            self.wte.weight = self.lm_head.weight  # weight tying
            self.apply(self._init_weights)
            for pn, p in self.named_parameters():
                if pn.endswith("c_proj.weight"):
                    torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

        def _init_weights(self, module):
            if isinstance(module, (nn.Linear, nn.Embedding)):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets):
            t = idx.size(1)
            x = self.wte(idx) + self.wpe(torch.arange(0, t, dtype=torch.long))
            for block in self.h:
                x = block(x)
            logits = self.lm_head(self.ln_f(x))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)

    def get_lr(it):
        if it < warmup_iters:
            return learning_rate * it / warmup_iters
        if it > lr_decay_iters:
            return min_lr
        ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
        return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (learning_rate - min_lr)

    lines = []
    for threads in args.thread_counts:
        torch.set_num_threads(threads)
        torch.manual_seed(1337)
        model = GPT()
        params = [p for p in model.parameters() if p.requires_grad]
        groups = [
            {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
        ]
        optimizer = torch.optim.AdamW(groups, lr=learning_rate, betas=(beta1, beta2))
        X, Y = get_batch("train")
        seconds = []
        for it in range(args.iters):
            start = time.perf_counter()
            for g in optimizer.param_groups:
                g["lr"] = get_lr(it)
            loss = model(X, Y)
            X, Y = get_batch("train")  # nanoGPT prefetches the next batch while the step runs
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            seconds.append(time.perf_counter() - start)
        model.eval()
        with torch.no_grad():
            val = sum(model(*get_batch("val")).item() for _ in range(args.eval_iters)) / args.eval_iters
        extra = {"val loss": val, "iters": args.iters, "params": sum(p.numel() for p in model.parameters())}
        lines.append({"case": "train", "impl": "PyTorch", "threads": threads, "seconds": seconds[1:] if len(seconds) > 1 else seconds, "extra": extra})
    emit(lines)


if __name__ == "__main__":
    main()
