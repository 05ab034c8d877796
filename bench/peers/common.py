"""Shared helpers of the Python peers: arguments, MNIST from the same IDX files nnlab reads, timing, output.

Each peer script prints one JSON line: a list of {case, impl, threads, seconds: [...], extra?, note?}.
"""
import argparse
import json
import os
import struct
import time

import numpy as np


def parse_args(extra=None):
    p = argparse.ArgumentParser()
    p.add_argument("--impls", default="torch,numpy", help="comma-separated: torch, numpy")
    p.add_argument("--data", default="", help="folder with the MNIST IDX files")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training images (0 = all)")
    p.add_argument("--runs", type=int, default=3, help="timed runs at most")
    p.add_argument("--budget", type=float, default=20.0, help="stop after the run that passes this many seconds")
    p.add_argument("--warmup-images", type=int, default=1000, help="images in the untimed warm-up epoch")
    p.add_argument("--threads", type=int, default=1, help="threads of this run (numpy: informational)")
    p.add_argument("--thread-counts", default="1,2", help="torch thread counts to measure (torch.set_num_threads)")
    p.add_argument("--seed", type=int, default=1)
    if extra:
        extra(p)
    args = p.parse_args()
    args.impls = [s for s in args.impls.split(",") if s]
    args.thread_counts = [int(t) for t in args.thread_counts.split(",") if t]
    return args


def read_idx(path):
    """An IDX file as a numpy array (unsigned bytes only, as MNIST), checking the magic number and size."""
    with open(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes for dims {dims}")
    return data.reshape(dims)


def load_mnist(folder, limit=0):
    """(train_x [N,784] float32 in [0,1], train_y uint8, test_x, test_y), pixels scaled by 1/255 as nnlab."""
    def images(name):
        return (read_idx(os.path.join(folder, name)).reshape(-1, 784).astype(np.float32) / np.float32(255))
    tx, ty = images("train-images-idx3-ubyte"), read_idx(os.path.join(folder, "train-labels-idx1-ubyte"))
    vx, vy = images("t10k-images-idx3-ubyte"), read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte"))
    if limit:
        tx, ty = tx[:limit], ty[:limit]
    return tx, ty, vx, vy


def one_hot(labels, classes=10):
    out = np.zeros((len(labels), classes), np.float32)
    out[np.arange(len(labels)), labels] = 1
    return out


def time_epochs(epoch, args, n_images):
    """Warm-up epoch on a few images, then timed epochs: epoch(n) -> (seconds, test_accuracy)."""
    epoch(min(args.warmup_images, n_images))
    seconds, acc, total = [], None, 0.0
    while len(seconds) < args.runs and (not seconds or total < args.budget):
        s, acc = epoch(n_images)
        seconds.append(s)
        total += s
    return seconds, acc


def time_call(fn, runs, budget, warmup=3):
    """Seconds per call of fn: warm-up calls, then timed calls within the budget."""
    for _ in range(warmup):
        fn()
    seconds, total = [], 0.0
    while len(seconds) < runs and (not seconds or total < budget):
        start = time.perf_counter()
        fn()
        s = time.perf_counter() - start
        seconds.append(s)
        total += s
    return seconds


def time_kernel(fn, samples, min_batch=0.05, budget=5.0):
    """Seconds per call of a fast fn: repeated in batches of at least min_batch seconds, within a budget."""
    fn()
    reps = 1
    while True:
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        s = time.perf_counter() - start
        if s >= min_batch or reps >= 1 << 20:
            break
        reps = max(reps * 2, int(reps * min_batch / max(s, 1e-6)) + 1)
    out, total = [], 0.0
    while len(out) < samples and (not out or total < budget):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        s = time.perf_counter() - start
        out.append(s / reps)
        total += s
    return out


def emit(lines):
    print(json.dumps(lines))


def run_epoch_bench(makers, extra=None):
    """Times one training epoch per requested implementation the peer has; makers: impl -> (label, make_epoch)."""
    args = parse_args(extra)
    tx, ty, vx, vy = load_mnist(args.data, args.limit)
    lines = []
    for impl in [i for i in args.impls if i in makers]:
        name, make = makers[impl]
        for threads in args.thread_counts if impl == "torch" else [None]:
            if threads:
                import torch

                torch.set_num_threads(threads)
            seconds, acc = time_epochs(make(args, tx, ty, vx, vy), args, len(tx))
            lines.append({"case": "epoch", "impl": name, "threads": threads, "seconds": seconds, "extra": {"test acc": acc}})
    emit(lines)
