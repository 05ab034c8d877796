"""Transformer-block peer: forward + backward of a pre-LN GPT-2 block (4 heads, width 128, causal
attention, GELU(tanh) MLP 4×) on a batch of 12 × 64 tokens in PyTorch; loss = mean of the output."""
import math

from common import emit, parse_args, time_call

B, T, C, NH = 12, 64, 128, 4


def main():
    args = parse_args()
    lines = []
    if "torch" in args.impls:
        import torch
        import torch.nn.functional as F

        torch.manual_seed(args.seed)
        ln1, ln2 = torch.nn.LayerNorm(C), torch.nn.LayerNorm(C)
        c_attn, c_proj = torch.nn.Linear(C, 3 * C), torch.nn.Linear(C, C)
        c_fc, mlp_proj = torch.nn.Linear(C, 4 * C), torch.nn.Linear(4 * C, C)
        modules = [ln1, ln2, c_attn, c_proj, c_fc, mlp_proj]
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
        x = torch.randn(B, T, C)

        def attention(h):
            q, k, v = c_attn(h).split(C, dim=2)
            q, k, v = (t.view(B, T, NH, C // NH).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
            att = (q @ k.transpose(-2, -1)) * (1 / math.sqrt(C // NH))
            att = att.masked_fill(~mask, float("-inf")).softmax(-1)
            y = (att @ v).transpose(1, 2).reshape(B, T, C)
            return c_proj(y)

        def step():
            for m in modules:
                m.zero_grad(set_to_none=True)
            h = x + attention(ln1(x))
            y = h + mlp_proj(F.gelu(c_fc(ln2(h)), approximate="tanh"))
            y.mean().backward()

        for threads in args.thread_counts:
            torch.set_num_threads(threads)
            seconds = time_call(step, args.runs, args.budget)
            lines.append({"case": "fwd+bwd", "impl": "PyTorch", "threads": threads, "seconds": seconds})
    emit(lines)


if __name__ == "__main__":
    main()
