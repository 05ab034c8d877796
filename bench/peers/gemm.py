"""GEMM peers: seconds per C = op(A)·op(B) (float32) in PyTorch (1 and 2 threads via torch.set_num_threads)
and numpy (threads set by the caller through OPENBLAS_NUM_THREADS/OMP_NUM_THREADS). A product is
"MxKxN:layout": nn = A·B, nt = A·Bᵀ (B stored [N,K]), tn = Aᵀ·B (A stored [K,M]); transposes are views."""
import numpy as np

from common import emit, parse_args, time_kernel

LAYOUT_LABEL = {"nn": "", "nt": " A·Bᵀ", "tn": " Aᵀ·B"}


def extra(p):
    p.add_argument("--products", default="512x512x512:nn", help="comma-separated MxKxN:layout")
    p.add_argument("--samples", type=int, default=5)


def operands(rng, m, k, n, layout):
    """op(A) (m, k) and op(B) (k, n) as numpy arrays, transposed views where the layout says so."""
    a = rng.standard_normal((k, m) if layout == "tn" else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if layout == "nt" else (k, n), dtype=np.float32)
    return (a.T if layout == "tn" else a), (b.T if layout == "nt" else b)


def main():
    args = parse_args(extra)
    products = []
    for spec in args.products.split(","):
        dims, layout = spec.split(":")
        products.append((*(int(d) for d in dims.split("x")), layout))
    lines = []
    rng = np.random.default_rng(args.seed)
    for impl in args.impls:
        for threads in args.thread_counts if impl == "torch" else [args.threads]:
            if impl == "torch":
                import torch

                torch.set_num_threads(threads)
            for m, k, n, layout in products:
                a, b = operands(rng, m, k, n, layout)
                if impl == "torch":
                    ta, tb = torch.from_numpy(a), torch.from_numpy(b)  # strided views where transposed
                    seconds = time_kernel(lambda: torch.matmul(ta, tb), args.samples, budget=args.budget)
                else:
                    seconds = time_kernel(lambda: a @ b, args.samples, budget=args.budget)
                name = "PyTorch" if impl == "torch" else "numpy"
                lines.append({"case": f"{m}×{k}×{n}{LAYOUT_LABEL[layout]}", "impl": name, "threads": threads, "seconds": seconds})
    emit(lines)


if __name__ == "__main__":
    main()
