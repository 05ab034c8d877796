"""Sampling peer: next-token generation with a KV cache in PyTorch, for the same GPT shapes nnlab's sample
bench uses (nanogpt-cpu: 4 layers × 4 heads, width 128, context 64, vocabulary 65, no biases, exact GELU;
gpt2-small: GPT-2's 124M shape, 12 × 12, width 768, context 1024, vocabulary 50,257, biases, tanh GELU).
Random weights (the speed does not depend on them); tied embedding and unembedding; each new token runs the
model on one position against the cached keys and values of every layer, draws from softmax(logits)
(temperature 1) with torch.multinomial. Reports seconds per generated token over --tokens tokens after a
--prompt-token prompt, per thread count."""
import math

from common import emit, parse_args

SHAPES = {
    "nanogpt-cpu": dict(n_layer=4, n_head=4, n_embd=128, block=64, vocab=65, bias=False, gelu="none"),
    "gpt2-small": dict(n_layer=12, n_head=12, n_embd=768, block=1024, vocab=50257, bias=True, gelu="tanh"),
}


def extra_args(p):
    p.add_argument("--shape", default="nanogpt-cpu", choices=sorted(SHAPES))
    p.add_argument("--prompt-tokens", type=int, default=16)
    p.add_argument("--tokens", type=int, default=48)


def main():
    args = parse_args(extra_args)
    import torch
    import torch.nn.functional as F

    s = SHAPES[args.shape]
    L, H, C, V = s["n_layer"], s["n_head"], s["n_embd"], s["vocab"]
    hs = C // H
    torch.manual_seed(args.seed)

    def w(*shape):
        return torch.randn(*shape) * 0.02

    def b(n):
        return torch.zeros(n) if s["bias"] else None

    wte, wpe = w(V, C), w(s["block"], C)
    layers = [
        dict(ln1=(torch.ones(C), b(C)), attn=(w(3 * C, C), b(3 * C)), proj=(w(C, C), b(C)), ln2=(torch.ones(C), b(C)), fc=(w(4 * C, C), b(4 * C)), mlp_proj=(w(C, 4 * C), b(C)))
        for _ in range(L)
    ]
    ln_f = (torch.ones(C), b(C))

    def forward(ids, pos0, cache):
        """Logits of the last position of ids (1, T), positions pos0.., appending keys and values to cache."""
        T = ids.shape[1]
        x = wte[ids] + wpe[pos0 : pos0 + T]
        for layer, kv in zip(layers, cache):
            h = F.layer_norm(x, (C,), *layer["ln1"])
            q, k, v = F.linear(h, *layer["attn"]).split(C, dim=2)
            q, k, v = (t.view(1, T, H, hs).transpose(1, 2) for t in (q, k, v))  # (1, nh, T, hs)
            kv[0] = k if kv[0] is None else torch.cat([kv[0], k], dim=2)
            kv[1] = v if kv[1] is None else torch.cat([kv[1], v], dim=2)
            K, Vv = kv
            att = (q @ K.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
            if T > 1:  # the prompt: causal within it
                mask = torch.ones(T, K.shape[2], dtype=torch.bool).tril(K.shape[2] - T)
                att = att.masked_fill(~mask, float("-inf"))
            y = (F.softmax(att, dim=-1) @ Vv).transpose(1, 2).reshape(1, T, C)
            x = x + F.linear(y, *layer["proj"])
            h = F.layer_norm(x, (C,), *layer["ln2"])
            x = x + F.linear(F.gelu(F.linear(h, *layer["fc"]), approximate=s["gelu"]), *layer["mlp_proj"])
        x = F.layer_norm(x[:, -1, :], (C,), *ln_f)
        return x @ wte.t()

    prompt = torch.randint(V, (1, args.prompt_tokens))

    def run():
        with torch.no_grad():
            cache = [[None, None] for _ in range(L)]
            logits = forward(prompt, 0, cache)
            pos = args.prompt_tokens
            for _ in range(args.tokens):
                nxt = torch.multinomial(F.softmax(logits, dim=-1), 1)
                logits = forward(nxt, pos, cache)
                pos += 1

    import time

    lines = []
    for threads in args.thread_counts:
        torch.set_num_threads(threads)
        run()  # warm-up
        seconds, total = [], 0.0
        while len(seconds) < args.runs and (not seconds or total < args.budget):
            start = time.perf_counter()
            run()
            t = time.perf_counter() - start
            seconds.append(t / args.tokens)
            total += t
        lines.append({"case": args.shape, "impl": "PyTorch", "threads": threads, "seconds": seconds})
    emit(lines)


if __name__ == "__main__":
    main()
