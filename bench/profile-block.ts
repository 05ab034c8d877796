// Where the transformer block's forward + backward spends its time: wraps every kernel of the current
// backend (primitives and fused ops) with a timer keyed by op and shapes, runs the bench's block and
// prints each op's share against the whole step (the rest is tape, shape checks and allocation).
// Run: node dist/bench/profile-block.js [threads]

import { init } from "../src/backend/index.js";
import type { KernelArg } from "../src/core/backend.js";
import { getBackend, tidy } from "../src/core/engine.js";
import * as ops from "../src/core/ops.js";
import { Rng } from "../src/core/rng.js";
import { BLOCK } from "./peers/tfjs-block.js";
import { Block } from "./transformer.js";

type AnyKernel = (out: KernelArg, inputs: readonly KernelArg[], params: unknown) => void;

const totals = new Map<string, { ms: number; calls: number }>();

/** Replaces each kernel of `table` with one that adds its time to `totals`. */
function instrument(table: Record<string, AnyKernel | undefined>, kind: string): void {
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

async function main(): Promise<void> {
  await init({ backend: "wasm" });
  const backend = getBackend() as ReturnType<typeof getBackend> & { setThreads?: (n: number) => void };
  backend.setThreads?.(Number(process.argv[2] ?? 1));
  instrument(backend.kernels as unknown as Record<string, AnyKernel>, "prim");
  if (backend.fused) instrument(backend.fused as unknown as Record<string, AnyKernel>, "fused");
  const rng = new Rng(1);
  const block = new Block(BLOCK.width, BLOCK.heads, rng);
  const x = ops.randn([BLOCK.batch, BLOCK.tokens, BLOCK.width], rng);
  const step = () => {
    tidy(() => {
      const loss = block.forward(x).mean();
      loss.backward();
      loss.item();
    });
    block.zeroGrad();
  };
  for (let i = 0; i < 5; i++) step();
  totals.clear();
  const steps = 30;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const whole = (performance.now() - t0) / steps;
  const rows = [...totals].map(([k, v]) => ({ k, ms: v.ms / steps, calls: v.calls / steps })).sort((a, b) => b.ms - a.ms);
  const inKernels = rows.reduce((s, r) => s + r.ms, 0);
  console.log(`step ${whole.toFixed(2)} ms; kernels ${inKernels.toFixed(2)} ms; outside kernels ${(whole - inKernels).toFixed(2)} ms`);
  for (const r of rows) console.log(`${r.ms.toFixed(3).padStart(8)} ms ${(100 * r.ms / whole).toFixed(1).padStart(5)}%  ×${r.calls}  ${r.k}`);
}

await main();
process.exit(0);
