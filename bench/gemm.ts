// GEMM: GFLOP/s of C = A·B (float32, 2·M·K·N flops) at the shapes the lessons and the GPT work use, plus
// the transposed products backprop runs (A·Bᵀ, Aᵀ·B), with 1 and 2 threads where an implementation can
// change its thread count.

import { keep, tidy } from "../src/core/engine.js";
import * as ops from "../src/core/ops.js";
import { Rng } from "../src/core/rng.js";
import { useVariant } from "./backends.js";
import { mapStats, timeKernel, type Bench, type BenchContext, type Entry, type Stats } from "./harness.js";
import { blasWarning, runPythonPeer } from "./peers/python.js";
import { TFJS_BACKENDS, tf, tfjsLabel, useTfjs } from "./peers/tfjs.js";

/** C (M×N) = op(A)·op(B) with inner size K; "nt" is A·Bᵀ (B stored [N, K]), "tn" is Aᵀ·B (A stored [K, M]). */
interface Product {
  m: number;
  k: number;
  n: number;
  layout: "nn" | "nt" | "tn";
}

/** The lesson's first layer, W1b's first layer, the GPT block's attention/MLP products and head, squares, and backprop's transposes. */
const PRODUCTS: Product[] = [
  { m: 10, k: 784, n: 16, layout: "nn" },
  { m: 64, k: 784, n: 128, layout: "nn" },
  { m: 768, k: 128, n: 384, layout: "nn" },
  { m: 768, k: 512, n: 128, layout: "nn" },
  { m: 768, k: 128, n: 65, layout: "nn" }, // the char GPT's head: 768 tokens × width 128 → 65 characters
  { m: 512, k: 512, n: 512, layout: "nn" },
  { m: 512, k: 512, n: 512, layout: "nt" },
  { m: 512, k: 512, n: 512, layout: "tn" },
  { m: 1024, k: 1024, n: 1024, layout: "nn" },
];
const THREADS = [1, 2];
const LAYOUT_LABEL = { nn: "", nt: " A·Bᵀ", tn: " Aᵀ·B" } as const;

/** "512×512×512 A·Bᵀ": the key the Python peer reports too. */
function label(p: Product): string {
  return `${p.m}×${p.k}×${p.n}${LAYOUT_LABEL[p.layout]}`;
}

function caseOf(p: Product, threads: number): string {
  return `${label(p)}, ${threads} thread${threads > 1 ? "s" : ""}`;
}

/** Stored shapes of A and B and the transpose flags for this product. */
function operands(p: Product): { a: number[]; b: number[]; transA: boolean; transB: boolean } {
  return {
    a: p.layout === "tn" ? [p.k, p.m] : [p.m, p.k],
    b: p.layout === "nt" ? [p.n, p.k] : [p.k, p.n],
    transA: p.layout === "tn",
    transB: p.layout === "nt",
  };
}

function gflops(p: Product, secondsPerCall: Stats): Stats {
  const flops = 2 * p.m * p.k * p.n;
  return mapStats(secondsPerCall, (s) => flops / s / 1e9);
}

function nnlabEntries(ctx: BenchContext, samples: number, budgetS: number): Entry[] {
  const entries: Entry[] = [];
  const rng = new Rng(1);
  for (const label of new Set(ctx.nnlab.map((v) => v.label))) {
    for (const threads of THREADS) {
      const v = ctx.nnlab.find((x) => x.label === label && x.threads === threads);
      if (!v) {
        for (const p of PRODUCTS) entries.push({ case: caseOf(p, threads), impl: label, nnlab: true, threads, stats: null, note: "1 thread only" });
        continue;
      }
      useVariant(v);
      for (const p of PRODUCTS) {
        const o = operands(p);
        const a = keep(ops.randn(o.a, rng));
        const b = keep(ops.randn(o.b, rng));
        const stats = timeKernel(() => tidy(() => void ops.matmul(a, b, { transA: o.transA, transB: o.transB })), samples, 0.05, budgetS);
        a.dispose();
        b.dispose();
        entries.push({ case: caseOf(p, threads), impl: label, nnlab: true, threads, stats: gflops(p, stats) });
      }
    }
  }
  return entries;
}

async function tfjsEntries(samples: number, budgetS: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const name of TFJS_BACKENDS) {
    const failed = await useTfjs(name);
    for (const p of PRODUCTS) {
      if (failed) {
        entries.push({ case: caseOf(p, 1), impl: tfjsLabel(name), nnlab: false, threads: 1, stats: null, note: failed });
        continue;
      }
      const o = operands(p);
      const a = tf.randomNormal(o.a);
      const b = tf.randomNormal(o.b);
      const stats = timeKernel(() => tf.matMul(a, b, o.transA, o.transB).dispose(), samples, 0.05, budgetS);
      tf.dispose([a, b]);
      entries.push({ case: caseOf(p, 1), impl: tfjsLabel(name), nnlab: false, threads: 1, stats: gflops(p, stats), note: "1 thread only" });
    }
  }
  return entries;
}

async function pythonEntries(ctx: BenchContext, samples: number, budgetS: number): Promise<Entry[]> {
  const args = { products: PRODUCTS.map((p) => `${p.m}x${p.k}x${p.n}:${p.layout}`).join(","), "thread-counts": THREADS.join(","), samples, budget: budgetS };
  const raw: Entry[] = [];
  // the BLAS under numpy and PyTorch reads its thread count from the environment at start-up (OpenBLAS
  // ignores torch.set_num_threads): one process per count
  for (const t of THREADS) {
    const env = { OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t) };
    if (ctx.python.torch) raw.push(...(await runPythonPeer("gemm.py", ["torch"], { ...args, "thread-counts": t }, env)));
    if (ctx.python.numpy) raw.push(...(await runPythonPeer("gemm.py", ["numpy"], { ...args, threads: t }, env)));
  }
  return raw.map((e) => {
    const p = PRODUCTS.find((q) => label(q) === e.case);
    if (!p || !e.stats) return e;
    return { ...e, case: caseOf(p, e.threads ?? 1), stats: gflops(p, e.stats) };
  });
}

export const gemm: Bench = {
  name: "gemm",
  title: "matrix multiplication C = A·B (M×K×N, float32; A·Bᵀ and Aᵀ·B as backprop runs them)",
  unit: "GFLOP/s",
  higherIsBetter: true,
  async run(ctx) {
    const samples = ctx.quick ? 3 : 5;
    const budgetS = ctx.quick ? 1 : 4;
    const entries = [...nnlabEntries(ctx, samples, budgetS), ...(await tfjsEntries(samples, budgetS)), ...(await pythonEntries(ctx, samples, budgetS))];
    const order = PRODUCTS.flatMap((p) => THREADS.map((t) => caseOf(p, t)));
    entries.sort((x, y) => order.indexOf(x.case) - order.indexOf(y.case));
    const notes = [
      "each sample repeats the product until it takes ≥ 50 ms; median of the samples; nnlab includes allocating C (as every op does)",
      "transposed operands are stored transposed and passed with transpose flags (nnlab transA/transB, tf.matMul flags, a .T view in PyTorch/numpy)",
      `numpy and PyTorch run with OPENBLAS_NUM_THREADS/OMP_NUM_THREADS = 1 and 2 (one process each); BLAS loaded by the Python peers: ${ctx.python.blas.join(", ") || "unknown"}`,
    ];
    const warning = blasWarning(ctx.python);
    if (warning) notes.push(warning);
    if (ctx.python.skipped) notes.push(`skipped PyTorch and numpy: ${ctx.python.skipped}`);
    return { entries, notes };
  },
};
