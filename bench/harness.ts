// The benchmark harness: what a bench is, how one implementation is timed (warm-up, then the median of
// several runs within a time budget), machine information, and the JSON written per bench.

import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic, ensureDir } from "../src/io/atomic.js";
import type { NnlabVariant } from "./backends.js";

/** The repository root (benches run from dist/bench/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const RESULTS_DIR = path.join(ROOT, "bench", "results");

/** Median and spread of the runs of one measurement (seconds, or GFLOP/s for GEMM). */
export interface Stats {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** One implementation measured on one case of a bench, e.g. "nnlab/js" on "512×512×512, 1 thread". */
export interface Entry {
  case: string;
  /** "nnlab/js", "nnlab/wasm", "TF.js/wasm", "PyTorch", "numpy". */
  impl: string;
  /** nnlab rows get ratios against every peer row of the same case. */
  nnlab: boolean;
  /** Threads the implementation used, when known. */
  threads: number | null;
  /** null when the implementation was not measured (see `note`). */
  stats: Stats | null;
  /** Extra figures shown beside the timing, e.g. the test accuracy after an epoch. */
  extra?: Record<string, number>;
  note?: string;
}

export interface BenchResult {
  bench: string;
  title: string;
  /** "s", "ms" or "GFLOP/s". */
  unit: string;
  higherIsBetter: boolean;
  entries: Entry[];
  /** Lines printed under the table (choices, skipped peers). */
  notes: string[];
}

/** Which Python peers are importable, and their versions. */
export interface PythonInfo {
  python: string;
  torch: string | null;
  numpy: string | null;
  /** The BLAS library numpy / PyTorch load, as mapped into the process. */
  blas: string[];
  torchDefaultThreads: number | null;
  /** Why Python peers are skipped altogether, when they are. */
  skipped: string | null;
}

export interface BenchContext {
  quick: boolean;
  /** nnlab backends that started, each at the thread counts it can run. */
  nnlab: NnlabVariant[];
  python: PythonInfo;
  /** Thread counts PyTorch is measured with in the GEMM and transformer benches: 1 and the machine's cores. */
  torchThreads: number[];
}

export interface Bench {
  name: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  run(ctx: BenchContext): Promise<Omit<BenchResult, "bench" | "title" | "unit" | "higherIsBetter">>;
}

/** Median, min and max of measured values. */
export function statsOf(runs: number[]): Stats {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs };
}

export interface TimingPlan {
  /** Untimed calls before measuring (JIT, caches, allocator). */
  warmup: number;
  /** Timed calls at most. */
  runs: number;
  /** Stop after the run that brings the measured time past this many seconds (at least one run). */
  budgetS: number;
}

/** Times `fn` by the plan and returns seconds per call. `fn` may report its own seconds (e.g. an epoch without evaluation). */
export function timeRuns(fn: () => number | void, plan: TimingPlan): Stats {
  for (let i = 0; i < plan.warmup; i++) fn();
  const runs: number[] = [];
  let total = 0;
  while (runs.length < plan.runs && (runs.length === 0 || total < plan.budgetS)) {
    const start = performance.now();
    const reported = fn();
    const seconds = typeof reported === "number" ? reported : (performance.now() - start) / 1000;
    runs.push(seconds);
    total += seconds;
  }
  return statsOf(runs);
}

/**
 * Seconds per call of a fast `fn` (a kernel): repeats it in batches long enough to time (≥ `minBatchS`),
 * then takes up to `samples` batches, stopping once `budgetS` seconds are spent (slow peers at large sizes).
 */
export function timeKernel(fn: () => void, samples: number, minBatchS = 0.05, budgetS = 5): Stats {
  fn();
  let reps = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const s = (performance.now() - start) / 1000;
    if (s >= minBatchS || reps >= 1 << 20) break;
    reps = Math.max(reps * 2, Math.ceil((reps * minBatchS) / Math.max(s, 1e-6)));
  }
  const runs: number[] = [];
  let total = 0;
  while (runs.length < samples && (runs.length === 0 || total < budgetS)) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const s = (performance.now() - start) / 1000;
    runs.push(s / reps);
    total += s;
  }
  return statsOf(runs);
}

/** Maps every run of `s` through `f` (e.g. seconds → GFLOP/s, seconds → ms). */
export function mapStats(s: Stats, f: (x: number) => number): Stats {
  return statsOf(s.runs.map(f));
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  date: string;
  /** The CPUs this process (and so every peer it starts) may run on, from /proc (Linux), or null. */
  cpusAllowed: string | null;
  peers: Record<string, string | null>;
}

/** `Cpus_allowed_list` of /proc/self/status ("0-1", or "1" under `taskset -c 1`), or null where there is none. */
function cpusAllowed(): string | null {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? null;
  } catch {
    return null;
  }
}

export function machineInfo(ctx: BenchContext, tfjsVersion: string | null): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    cpusAllowed: cpusAllowed(),
    peers: {
      "tfjs-core": tfjsVersion,
      python: ctx.python.python || null,
      torch: ctx.python.torch,
      numpy: ctx.python.numpy,
      blas: ctx.python.blas.join(", ") || null,
    },
  };
}

/** Writes bench/results/<bench>.json atomically and returns its path. */
export async function writeResult(result: BenchResult, machine: MachineInfo, quick: boolean): Promise<string> {
  await ensureDir(RESULTS_DIR);
  const file = path.join(RESULTS_DIR, `${result.bench}.json`);
  await writeFileAtomic(file, JSON.stringify({ ...result, quick, machine }, null, 2) + "\n");
  return file;
}
