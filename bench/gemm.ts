// GEMM: GFLOP/s of C = A·B (float32, A [M,K], B [K,N], 2·M·K·N flops) at the shapes the lessons and the GPT
// work use, with 1 and 2 threads where an implementation can change its thread count.

import type { Backend } from "../src/core/backend.js";
import { keep, setBackend, tidy } from "../src/core/engine.js";
import * as ops from "../src/core/ops.js";
import { Rng } from "../src/core/rng.js";
import { mapStats, timeKernel, type Bench, type BenchContext, type Entry, type Stats } from "./harness.js";
import { runPythonPeer } from "./peers/python.js";
import { TFJS_BACKENDS, tf, tfjsLabel, useTfjs } from "./peers/tfjs.js";

/** [M, K, N]: the lesson's first layer, W1b's first layer, attention/MLP products of the GPT block, squares. */
const SIZES: [number, number, number][] = [
  [10, 784, 16],
  [64, 784, 128],
  [768, 128, 384],
  [768, 512, 128],
  [512, 512, 512],
  [1024, 1024, 1024],
];
const THREADS = [1, 2];

function label([m, k, n]: [number, number, number]): string {
  return `${m}×${k}×${n}`;
}

function caseOf(size: [number, number, number], threads: number): string {
  return `${label(size)}, ${threads} thread${threads > 1 ? "s" : ""}`;
}

function gflops(size: [number, number, number], secondsPerCall: Stats): Stats {
  const flops = 2 * size[0] * size[1] * size[2];
  return mapStats(secondsPerCall, (s) => flops / s / 1e9);
}

/** The backend's thread setter, if it has one (the Backend interface leaves threads to each backend). */
function threadSetter(b: Backend): ((n: number) => void) | null {
  return "setThreads" in b && typeof b.setThreads === "function" ? (n: number) => (b.setThreads as (n: number) => void).call(b, n) : null;
}

function nnlabEntries(ctx: BenchContext, samples: number, budgetS: number): Entry[] {
  const entries: Entry[] = [];
  const rng = new Rng(1);
  for (const name of ctx.backends) {
    const backend = setBackend(name);
    const setThreads = threadSetter(backend);
    for (const threads of THREADS) {
      if (threads > 1 && !setThreads) {
        for (const size of SIZES) entries.push({ case: caseOf(size, threads), impl: `nnlab/${name}`, nnlab: true, threads: 1, stats: null, note: "1 thread only" });
        continue;
      }
      setThreads?.(threads);
      for (const size of SIZES) {
        const [m, k, n] = size;
        const a = keep(ops.randn([m, k], rng));
        const b = keep(ops.randn([k, n], rng));
        const stats = timeKernel(() => tidy(() => void ops.matmul(a, b)), samples, 0.05, budgetS);
        a.dispose();
        b.dispose();
        entries.push({ case: caseOf(size, threads), impl: `nnlab/${name}`, nnlab: true, threads, stats: gflops(size, stats), note: setThreads ? "" : "1 thread only" });
      }
    }
  }
  return entries;
}

async function tfjsEntries(samples: number, budgetS: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const name of TFJS_BACKENDS) {
    const failed = await useTfjs(name);
    for (const size of SIZES) {
      if (failed) {
        entries.push({ case: caseOf(size, 1), impl: tfjsLabel(name), nnlab: false, threads: 1, stats: null, note: failed });
        continue;
      }
      const [m, k, n] = size;
      const a = tf.randomNormal([m, k]);
      const b = tf.randomNormal([k, n]);
      const stats = timeKernel(() => tf.matMul(a, b).dispose(), samples, 0.05, budgetS);
      tf.dispose([a, b]);
      entries.push({ case: caseOf(size, 1), impl: tfjsLabel(name), nnlab: false, threads: 1, stats: gflops(size, stats), note: "1 thread only" });
    }
  }
  return entries;
}

async function pythonEntries(ctx: BenchContext, samples: number, budgetS: number): Promise<Entry[]> {
  const args = { sizes: SIZES.map((s) => s.join("x")).join(","), "thread-counts": THREADS.join(","), samples, budget: budgetS };
  const raw: Entry[] = [];
  if (ctx.python.torch) raw.push(...(await runPythonPeer("gemm.py", ["torch"], args)));
  if (ctx.python.numpy) {
    // numpy's BLAS reads its thread count from the environment at start-up: one process per count
    for (const t of THREADS) {
      raw.push(...(await runPythonPeer("gemm.py", ["numpy"], { ...args, threads: t }, { OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t) })));
    }
  }
  return raw.map((e) => {
    const size = SIZES.find((s) => label(s) === e.case);
    if (!size || !e.stats) return e;
    return { ...e, case: caseOf(size, e.threads ?? 1), stats: gflops(size, e.stats) };
  });
}

export const gemm: Bench = {
  name: "gemm",
  title: "matrix multiplication C = A·B, M×K×N, float32",
  unit: "GFLOP/s",
  higherIsBetter: true,
  async run(ctx) {
    const samples = ctx.quick ? 3 : 5;
    const budgetS = ctx.quick ? 1 : 4;
    const entries = [...nnlabEntries(ctx, samples, budgetS), ...(await tfjsEntries(samples, budgetS)), ...(await pythonEntries(ctx, samples, budgetS))];
    const order = SIZES.flatMap((s) => THREADS.map((t) => caseOf(s, t)));
    entries.sort((x, y) => order.indexOf(x.case) - order.indexOf(y.case));
    const notes = [
      "each sample repeats the product until it takes ≥ 50 ms; median of the samples; nnlab includes allocating C (as every op does)",
      `numpy runs with OPENBLAS_NUM_THREADS/OMP_NUM_THREADS = 1 and 2; BLAS loaded by the Python peers: ${ctx.python.blas.join(", ") || "unknown"}`,
    ];
    if (ctx.python.skipped) notes.push(`skipped PyTorch and numpy: ${ctx.python.skipped}`);
    return { entries, notes };
  },
};
