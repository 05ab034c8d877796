// W2: nanoGPT's char-level Shakespeare training on CPU ("I only have a macbook" settings: block 64,
// batch 12, 4 layers, 4 heads, width 128, dropout 0, AdamW, warm-up + cosine), ms per iteration of
// `nnlab gpt train --preset nanogpt-cpu` (wasm and native backends) against a PyTorch peer with
// nanoGPT's model and loop (bench/peers/w2.py), 1 and 2 threads, on ../shared/data/tinyshakespeare/input.txt.

import { execFile } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { mapStats, ROOT, statsOf, type Bench, type BenchContext, type Entry } from "./harness.js";
import { runPythonPeer, torchLabel } from "./peers/python.js";

const run = promisify(execFile);

/** nanoGPT's tiny Shakespeare, where benches here find it (tests never read it). */
export const SHAKESPEARE = path.join(ROOT, "..", "shared", "data", "tinyshakespeare", "input.txt");
/** Tokens per iteration: batch 12 × block 64. */
const TOKENS_PER_ITER = 12 * 64;

function iters(ctx: BenchContext): number {
  return ctx.quick ? 10 : 60;
}

/** nnlab's side: the CLI command users run, when this build has it (it lands with the GPT work). */
async function nnlabEntries(ctx: BenchContext): Promise<Entry[]> {
  const cli = path.join(ROOT, "bin", "nnlab.js");
  const missing = (note: string): Entry[] => [{ case: "train", impl: "nnlab", nnlab: true, threads: null, stats: null, note }];
  try {
    await run(process.execPath, [cli, "gpt", "train", "--help"], { timeout: 60_000 });
  } catch {
    return missing("skipped: this build has no `nnlab gpt train`");
  }
  const entries: Entry[] = [];
  for (const backend of ["wasm", "native"]) {
    for (const threads of [1, 2]) {
      const impl = `nnlab/${backend} (${threads} thread${threads > 1 ? "s" : ""})`;
      const out = path.join(os.tmpdir(), `nnlab-w2-${process.pid}-${backend}-${threads}`);
      const argv = [cli, "gpt", "train", "--preset", "nanogpt-cpu", "--data", SHAKESPEARE, "--iters", String(iters(ctx) + 1), "--out", out, "--backend", backend, "--threads", String(threads), "--json"];
      try {
        const { stdout } = await run(process.execPath, argv, { timeout: 1_800_000, maxBuffer: 64 << 20 });
        const result = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { step_ms?: number[]; val_loss?: number; backend?: string };
        if (result.backend !== backend) {
          entries.push({ case: "train", impl, nnlab: true, threads, stats: null, note: `skipped: the ${backend} backend is not available here (it ran on ${result.backend})` });
          continue;
        }
        // the first step warms up (kernels compile, buffers grow): dropped, as for PyTorch
        const ms = (result.step_ms ?? []).slice(1);
        entries.push({
          case: "train",
          impl,
          nnlab: true,
          threads,
          stats: ms.length ? statsOf(ms) : null,
          extra: result.val_loss !== undefined ? { "val loss": result.val_loss } : undefined,
          note: ms.length ? undefined : "the command's --json output has no step_ms",
        });
      } catch (err) {
        entries.push({ case: "train", impl, nnlab: true, threads, stats: null, note: `failed: ${String((err as Error).message).split("\n")[0].slice(0, 160)}` });
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }
  }
  return entries;
}

async function pythonEntries(ctx: BenchContext): Promise<Entry[]> {
  if (!ctx.python.torch) return [];
  const entries: Entry[] = [];
  // one process per thread count: OpenBLAS reads its thread count from the environment at start-up
  for (const threads of [1, 2]) {
    const args = { text: SHAKESPEARE, iters: iters(ctx) + 1, "thread-counts": threads, "eval-iters": ctx.quick ? 2 : 20 };
    const env = { OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
    entries.push(...(await runPythonPeer("w2.py", ["torch"], args, env)));
  }
  return entries.map((e) => ({ ...e, impl: torchLabel(e.threads), stats: e.stats ? mapStats(e.stats, (s) => s * 1000) : null }));
}

export const w2: Bench = {
  name: "w2",
  title: "W2: nanoGPT char Shakespeare training (4 layers, 4 heads, width 128, block 64, batch 12), ms per iteration",
  unit: "ms",
  higherIsBetter: false,
  async run(ctx) {
    const notes = [`${iters(ctx)} timed iterations per run (the first, warm-up one, dropped); ${TOKENS_PER_ITER} tokens per iteration; evaluation not timed`];
    if (!existsSync(SHAKESPEARE)) return { entries: [], notes: [...notes, `skipped: ${SHAKESPEARE} not found (nanoGPT's tiny Shakespeare input.txt)`] };
    const entries = [...(await nnlabEntries(ctx)), ...(await pythonEntries(ctx))];
    for (const e of entries) if (e.stats) e.extra = { ...e.extra, "tokens/s": Math.round((TOKENS_PER_ITER * 1000) / e.stats.median) };
    if (ctx.python.skipped) notes.push(`skipped PyTorch: ${ctx.python.skipped}`);
    return { entries, notes };
  },
};
