// Running the Python peers (PyTorch and numpy through /usr/bin/python3): probing what is installed, and
// running one peer script that prints its measurements as one JSON line on stdout.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT, statsOf, type Entry, type PythonInfo } from "../harness.js";

const run = promisify(execFile);

/** Debian's interpreter, where python3-torch and python3-numpy install. */
export const PYTHON = "/usr/bin/python3";
const PEERS_DIR = path.join(ROOT, "bench", "peers");

/** What a peer script reports for one implementation on one case: seconds per run. */
interface PeerLine {
  case: string;
  impl: string;
  threads: number | null;
  seconds: number[];
  extra?: Record<string, number>;
  note?: string;
}

/** The row label of PyTorch at a thread count, e.g. "PyTorch (2 threads)". */
export function torchLabel(threads: number | null): string {
  return threads ? `PyTorch (${threads} thread${threads > 1 ? "s" : ""})` : "PyTorch";
}

/**
 * A warning when the Python peers multiply matrices with the reference (netlib) BLAS, which Debian
 * installs unless an optimized one is: their matrix products then run at a few GFLOP/s.
 */
export function blasWarning(info: PythonInfo): string | null {
  const reference = info.blas.some((p) => /\/blas\/libblas\.so/.test(p));
  const optimized = info.blas.some((p) => /openblas|mkl|blis|atlas/i.test(p));
  return reference && !optimized
    ? "numpy and PyTorch load the reference BLAS (Debian's libblas3), not an optimized one, so their matrix products run at a few GFLOP/s; install Debian's libopenblas0-pthread for representative peers"
    : null;
}

/** Which of torch / numpy import, their versions, and the BLAS they load. */
export async function probePython(): Promise<PythonInfo> {
  const none: PythonInfo = { python: "", torch: null, numpy: null, blas: [], torchDefaultThreads: null, skipped: null };
  if (!existsSync(PYTHON)) return { ...none, skipped: `${PYTHON} not found (install Debian's python3-torch / python3-numpy)` };
  try {
    const { stdout } = await run(PYTHON, [path.join(PEERS_DIR, "probe.py")], { timeout: 120_000 });
    const p = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Omit<PythonInfo, "skipped">;
    const skipped = p.torch || p.numpy ? null : "neither torch nor numpy imports in /usr/bin/python3 (install Debian's python3-torch / python3-numpy)";
    return { ...p, skipped };
  } catch (err) {
    return { ...none, skipped: `probing ${PYTHON} failed: ${String((err as Error).message).split("\n")[0]}` };
  }
}

/**
 * Runs bench/peers/<script> with `--key value` arguments and returns its entries; a failure becomes one
 * entry per requested implementation with the error as its note, so the bench goes on.
 */
export async function runPythonPeer(script: string, impls: string[], args: Record<string, string | number>, env: Record<string, string> = {}): Promise<Entry[]> {
  const argv = [path.join(PEERS_DIR, script), "--impls", impls.join(",")];
  for (const [k, v] of Object.entries(args)) argv.push(`--${k}`, String(v));
  try {
    const { stdout } = await run(PYTHON, argv, { timeout: 600_000, maxBuffer: 16 << 20, env: { ...process.env, ...env } });
    const lines = JSON.parse(stdout.trim().split("\n").pop() ?? "[]") as PeerLine[];
    return lines.map((l) => ({
      case: l.case,
      impl: l.impl,
      nnlab: false,
      threads: l.threads,
      stats: l.seconds.length ? statsOf(l.seconds) : null,
      extra: l.extra,
      note: l.note,
    }));
  } catch (err) {
    const e = err as Error & { stderr?: string };
    const why = (e.stderr?.trim().split("\n").pop() ?? e.message.split("\n")[0]).slice(0, 160);
    return impls.map((impl) => ({ case: "all", impl, nnlab: false, threads: null, stats: null, note: `failed: ${why}` }));
  }
}
