// Where a training step spends its time: wraps every kernel of the current backend (primitives and fused
// ops) with a timer keyed by op and shapes, runs the step and prints each op's share against the whole
// step (the rest is tape, shape checks and allocation). Used by profile-block.ts and profile-gpt.ts.

import type { KernelArg } from "../src/core/backend.js";
import { getBackend } from "../src/core/engine.js";

type AnyKernel = (out: KernelArg, inputs: readonly KernelArg[], params: unknown) => void;

/** Replaces each kernel of `table` with one that adds its time to `totals`. */
function instrument(table: Record<string, AnyKernel | undefined>, kind: string, totals: Map<string, { ms: number; calls: number }>): void {
  for (const name of Object.keys(table)) {
    const kernel = table[name];
    if (!kernel) continue;
    table[name] = (out, inputs, params) => {
      const t0 = performance.now();
      kernel(out, inputs, params);
      const key = `${kind} ${name} ${inputs.map((x) => x.shape.join("×")).join(", ")}${params && Object.keys(params).length ? " " + JSON.stringify(params) : ""}`;
      const e = totals.get(key) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      totals.set(key, e);
    };
  }
}

/** Times `steps` calls of `step` (after `warmup` untimed ones) kernel by kernel and prints the table. */
export function profileSteps(step: () => void, { warmup = 5, steps = 30, threads = 1, top = 40 } = {}): void {
  const backend = getBackend() as ReturnType<typeof getBackend> & { setThreads?: (n: number) => void };
  backend.setThreads?.(threads);
  const totals = new Map<string, { ms: number; calls: number }>();
  instrument(backend.kernels as unknown as Record<string, AnyKernel>, "prim", totals);
  if (backend.fused) instrument(backend.fused as unknown as Record<string, AnyKernel>, "fused", totals);
  const steps0 = backend as unknown as Record<string, ((s: { param: { shape: readonly number[] } }) => void) | undefined>;
  for (const name of ["adamStep", "denseStep"]) {
    const kernel = steps0[name];
    if (!kernel) continue;
    steps0[name] = (s) => {
      const t0 = performance.now();
      kernel(s);
      const key = `step ${name}`;
      const e = totals.get(key) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      totals.set(key, e);
    };
  }
  for (let i = 0; i < warmup; i++) step();
  totals.clear();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const whole = (performance.now() - t0) / steps;
  const rows = [...totals].map(([k, v]) => ({ k, ms: v.ms / steps, calls: v.calls / steps })).sort((a, b) => b.ms - a.ms);
  const inKernels = rows.reduce((s, r) => s + r.ms, 0);
  console.log(`${backend.name}, ${threads} thread(s): step ${whole.toFixed(2)} ms; kernels ${inKernels.toFixed(2)} ms; outside kernels ${(whole - inKernels).toFixed(2)} ms`);
  for (const r of rows.slice(0, top)) console.log(`${r.ms.toFixed(3).padStart(8)} ms ${((100 * r.ms) / whole).toFixed(1).padStart(5)}%  ×${r.calls}  ${r.k}`);
}
