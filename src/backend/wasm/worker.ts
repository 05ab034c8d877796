// A kernel thread of the wasm backend (started by pool.ts): instantiates the kernels on the shared
// memory, answers "ready", then runs the tasks posted to its control block, forever. The scratch block
// it uses is its own; every other pointer comes with the task.

import { externalAttention, externalAttentionBackward } from "./attention-external.js";
import { instantiate, isNode, type KernelExports } from "./loader.js";
import { CTRL, TASK, type WorkerInit } from "./pool.js";
import type { ExternalGemm, ExternalGemmModule } from "./storage.js";

interface ParentPort {
  post(message: unknown): void;
  onceMessage(fn: (message: unknown) => void): void;
}

async function parentPort(): Promise<ParentPort> {
  if (isNode()) {
    const name = "node:worker_threads";
    const { parentPort: port } = (await import(/* @vite-ignore */ name)) as typeof import("node:worker_threads");
    return { post: (m) => port!.postMessage(m), onceMessage: (fn) => port!.once("message", fn) };
  }
  const scope = globalThis as unknown as { postMessage(m: unknown): void; addEventListener(t: string, fn: (e: MessageEvent) => void, o: object): void };
  return { post: (m) => scope.postMessage(m), onceMessage: (fn) => scope.addEventListener("message", (e) => fn(e.data), { once: true }) };
}

function run(wasm: KernelExports, ext: ExternalGemm | null, op: number, a: Int32Array, x: number): void {
  const at = CTRL.args;
  if (op === TASK.externalGemm && ext) {
    // c, a, b, m, n, k, transA, transB, count, aStride, bStride, i0, i1
    ext.gemm(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], a[at + 7], a[at + 8], a[at + 9], a[at + 10], a[at + 11], a[at + 12]);
  } else if (op === TASK.externalLinear && ext) {
    // out, x, w, bias, rows, cols, k, i0, i1
    ext.linear(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], a[at + 7], a[at + 8]);
  } else if (op === TASK.externalAttention && ext) {
    // o, q, k, v, work, h0, h1, t, hs; scale
    externalAttention(ext, wasm, a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], a[at + 7], a[at + 8], x);
  } else if (op === TASK.externalAttentionBackward && ext) {
    // dq, dk, dv, g, q, k, v, work, h0, h1, t, hs; scale
    externalAttentionBackward(ext, wasm, a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], a[at + 7], a[at + 8], a[at + 9], a[at + 10], a[at + 11], x);
  } else if (op === TASK.gelu) {
    // o, a, n, tanh
    wasm.gelu(a[at], a[at + 1], a[at + 2], a[at + 3]);
  } else if (op === TASK.geluGrad) {
    // o, g, a, n, tanh
    wasm.geluGrad(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4]);
  } else if (op === TASK.packedAttention) {
    // o, qkv, u0, u1, heads, t, hs, work; scale
    wasm.packedAttention(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], x, a[at + 7]);
  } else if (op === TASK.packedAttentionBackward) {
    // dqkv, g, qkv, u0, u1, heads, t, hs, work; scale
    wasm.packedAttentionBackward(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], a[at + 7], x, a[at + 8]);
  } else if (op === TASK.layerNorm) {
    // o, x, w, b, rows, d, scratch (its first 8 bytes: the row's moments); eps
    wasm.layerNorm(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], x, a[at + 6]);
  } else if (op === TASK.layerNormGradX) {
    // o, g, x, w, rows, d, scratch; eps
    wasm.layerNormGradX(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], x, a[at + 6]);
  } else if (op === TASK.layerNormGradW) {
    // partials, g, x, rows, d, block, b0, b1, scratch; eps
    wasm.layerNormGradW(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], x, a[at + 5], a[at + 6], a[at + 7], a[at + 8]);
  } else if (op === TASK.crossEntropyGrad) {
    // o, x, targets, rows, d, scratch; scale
    wasm.crossEntropyGrad(a[at], a[at + 1], a[at + 2], x, a[at + 3], a[at + 4]);
  } else if (op === TASK.matmulBlock) {
    // c, a, b, m, n, k, transA, transB, i0, i1, j0, j1, scratch
    wasm.matmulBlock(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], a[at + 7], a[at + 12], a[at + 8], a[at + 9], a[at + 10], a[at + 11]);
  } else if (op === TASK.matmulBatch) {
    // c, a, b, m, n, k, transA, transB, count, aStep, bStep, scratch
    wasm.matmulBatch(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], a[at + 7], a[at + 11], a[at + 8], a[at + 9], a[at + 10]);
  } else if (op === TASK.attention) {
    // o, q, k, v, heads, t, hs, pattern, scratch; scale
    wasm.attention(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], x, a[at + 7], a[at + 8]);
  } else if (op === TASK.attentionBackward) {
    // dq, dk, dv, g, q, k, v, heads, t, hs, work, scratch; scale
    wasm.attentionBackward(a[at], a[at + 1], a[at + 2], a[at + 3], a[at + 4], a[at + 5], a[at + 6], a[at + 7], a[at + 8], a[at + 9], x, a[at + 10], a[at + 11]);
  } else {
    throw new Error(`wasm worker: unknown task ${op}`);
  }
}

/**
 * How long a worker keeps polling for its next task before it sleeps, in ms. A training step posts a
 * task every millisecond or so; waking a sleeping thread costs 0.1–0.2 ms on a virtual machine, longer
 * than half of a typical product, so between tasks the worker spins.
 */
const SPIN_MS = 2;

/** Polls `control`'s posted count for a change from `seen`, up to SPIN_MS; returns the count seen last. */
function spin(control: Int32Array, seen: number): number {
  const start = performance.now();
  for (let i = 1; ; i++) {
    const posted = Atomics.load(control, CTRL.posted);
    if (posted !== seen) return posted;
    if ((i & 255) === 0 && performance.now() - start > SPIN_MS) return posted;
  }
}

function serve(wasm: KernelExports, ext: ExternalGemm | null, control: Int32Array, float: Float32Array): void {
  let seen = 0;
  for (;;) {
    if (spin(control, seen) === seen) Atomics.wait(control, CTRL.posted, seen);
    const posted = Atomics.load(control, CTRL.posted);
    if (posted === seen) continue;
    seen = posted;
    try {
      run(wasm, ext, control[CTRL.op], control, float[CTRL.float]);
      control[CTRL.failed] = 0;
    } catch {
      control[CTRL.failed] = 1;
    }
    Atomics.store(control, CTRL.done, seen);
    Atomics.notify(control, CTRL.done);
  }
}

const port = await parentPort();
port.onceMessage((message) => {
  const init = message as WorkerInit;
  const external = init.external ? (import(/* @vite-ignore */ init.external) as Promise<ExternalGemmModule>).then((m) => m.connect(init.memory)) : Promise.resolve(null);
  void Promise.all([instantiate(init.module, init.memory), external]).then(
    ([wasm, ext]) => {
      port.post("ready");
      // serve from a fresh task so the "ready" message leaves before this thread starts blocking
      setTimeout(() => serve(wasm, ext, new Int32Array(init.control), new Float32Array(init.control)), 0);
    },
    (err: Error) => port.post(`wasm worker: ${err.message}`),
  );
});
