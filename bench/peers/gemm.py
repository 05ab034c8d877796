"""GEMM peers: seconds per C = A·B (float32, A [M,K], B [K,N]) in PyTorch (1 and 2 threads via
torch.set_num_threads) and numpy (threads set by the caller through OPENBLAS_NUM_THREADS/OMP_NUM_THREADS)."""
import numpy as np

from common import emit, parse_args, time_kernel


def extra(p):
    p.add_argument("--sizes", default="512x512x512", help="comma-separated MxKxN")
    p.add_argument("--samples", type=int, default=5)


def main():
    args = parse_args(extra)
    sizes = [tuple(int(d) for d in s.split("x")) for s in args.sizes.split(",")]
    lines = []
    rng = np.random.default_rng(args.seed)
    for impl in args.impls:
        counts = args.thread_counts if impl == "torch" else [args.threads]
        for threads in counts:
            if impl == "torch":
                import torch

                torch.set_num_threads(threads)
            for m, k, n in sizes:
                a = rng.standard_normal((m, k), dtype=np.float32)
                b = rng.standard_normal((k, n), dtype=np.float32)
                if impl == "torch":
                    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
                    seconds = time_kernel(lambda: torch.matmul(ta, tb), args.samples, budget=args.budget)
                    name = "PyTorch"
                else:
                    seconds = time_kernel(lambda: a @ b, args.samples, budget=args.budget)
                    name = "numpy"
                lines.append({"case": f"{m}×{k}×{n}", "impl": name, "threads": threads, "seconds": seconds})
    emit(lines)


if __name__ == "__main__":
    main()
