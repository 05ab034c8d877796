// Finds, checks and instantiates the compiled kernels. Works in Node and in browsers/Web Workers: the
// bytes come from `fetch(new URL(…, import.meta.url))` in a browser and from reading the same URL with
// node:fs in Node (imported only there, so bundlers never see a `node:` import on the browser path).
//
// Where the .wasm files live: `npm run build` (scripts/build-wasm.mjs) writes kernels-{simd,relaxed}.wasm
// and their -shared variants (for worker threads) to src/backend/wasm/build/ (for Vite, which serves the
// TypeScript sources) and to dist/src/backend/wasm/build/ (for Node, next to this file compiled). The
// memory is created here and imported by the module, so workers can instantiate it on the same memory.

/** The functions the AssemblyScript module exports (src/backend/wasm/assembly/index.ts). Pointers are byte offsets. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  zero(ptr: number, bytes: number): void;
  copyStrided(dst: number, src: number, rank: number, meta: number): void;
  adamStep(p: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, eps: number, wd: number, decoupled: number, shrink: number, bc1: number, bc2: number): void;
  im2col(o: number, x: number, meta: number, padValue: number): void;
  col2im(o: number, cols: number, meta: number): void;
  unary(op: number, o: number, a: number, n: number): void;
  binary(op: number, o: number, a: number, b: number, rank: number, meta: number): void;
  where(o: number, c: number, a: number, b: number, condInt: number, rank: number, meta: number, size: number): void;
  sum(o: number, a: number, outer: number, red: number, inner: number): void;
  max(o: number, a: number, outer: number, red: number, inner: number): void;
  argmax(o: number, a: number, outer: number, red: number, inner: number): void;
  matmul(c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number, scratch: number, i0: number, i1: number): void;
  matmulBlock(c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number, scratch: number, i0: number, i1: number, j0: number, j1: number): void;
  matmulBatch(c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number, scratch: number, count: number, aStep: number, bStep: number): void;
  nonzeroColumns(idx: number, x: number, rows: number, cols: number, flags: number): number;
  columnRuns(runs: number, idx: number, count: number): number;
  gatherColumns(dst: number, src: number, rows: number, cols: number, runs: number, nruns: number, count: number): void;
  scatterColumns(dst: number, src: number, rows: number, cols: number, runs: number, nruns: number, count: number): void;
  gatherRows(out: number, table: number, ids: number, n: number, width: number, rows: number): number;
  scatterAddRows(out: number, ids: number, src: number, n: number, width: number, rows: number): number;
  layerNormGradW(partials: number, g: number, x: number, rows: number, d: number, eps: number, block: number, b0: number, b1: number, tmp: number): void;
  sumBlocks(o: number, partials: number, blocks: number, d: number): void;
  matmulScratchBytes(): number;
  sigmoid(o: number, a: number, n: number): void;
  sigmoidGrad(o: number, g: number, s: number, n: number): void;
  addBias(c: number, b: number, rows: number, cols: number): void;
  gelu(o: number, a: number, n: number, tanh: number): void;
  geluGrad(o: number, g: number, a: number, n: number, tanh: number): void;
  softmax(o: number, x: number, rows: number, d: number, temperature: number): void;
  softmaxGrad(o: number, g: number, y: number, rows: number, d: number, temperature: number): void;
  logSoftmax(o: number, x: number, rows: number, d: number): void;
  logSoftmaxGrad(o: number, g: number, out: number, rows: number, d: number): void;
  badTarget(targets: number, rows: number, d: number): number;
  crossEntropy(o: number, x: number, targets: number, rows: number, d: number): void;
  crossEntropyGrad(o: number, x: number, targets: number, scale: number, rows: number, d: number): void;
  layerNorm(o: number, x: number, w: number, b: number, rows: number, d: number, eps: number, tmp: number): void;
  layerNormGradX(o: number, g: number, x: number, w: number, rows: number, d: number, eps: number, tmp: number): void;
  attentionPattern(p: number, q: number, k: number, heads: number, t: number, hs: number, scale: number, scratch: number): void;
  causalSoftmaxHeads(s: number, heads: number, t: number, scale: number): void;
  causalSoftmaxGradHeads(d: number, p: number, heads: number, t: number, scale: number): void;
  denseStepWorkBytes(layout: number, n: number, adam: number): number;
  denseStepPixelsAt(layout: number, n: number, adam: number): number;
  denseStepBatchAt(layout: number, adam: number): number;
  denseSteps(layout: number, work: number, pixels: number, labels: number, order: number, examples: number, batch: number, hidden: number, head: number, hyper: number, adam: number, scratch: number, results: number, index: number, count: number): number;
  sparseIndexBytes(pixels: number, count: number, inw: number): number;
  buildSparseIndex(pixels: number, count: number, inw: number, out: number, e0: number, e1: number): void;
  denseStep(layout: number, work: number, n: number, hidden: number, head: number, hyper: number, adam: number, scratch: number, result: number, pixels: number): void;
  attentionBackward(dq: number, dk: number, dv: number, g: number, q: number, k: number, v: number, heads: number, t: number, hs: number, scale: number, work: number, scratch: number): void;
  packedAttention(o: number, qkv: number, u0: number, u1: number, heads: number, t: number, hs: number, scale: number, work: number): void;
  packedAttentionBackward(dqkv: number, g: number, qkv: number, u0: number, u1: number, heads: number, t: number, hs: number, scale: number, work: number): void;
  packedAttentionWork(t: number, hs: number, backward: number): number;
  attention(o: number, q: number, k: number, v: number, heads: number, t: number, hs: number, scale: number, pattern: number, scratch: number): void;
  lstmCell(out: number, gates: number, c: number, n: number, h: number): void;
  lstmCellGrad(o: number, grad: number, gates: number, c: number, out: number, n: number, h: number): void;
}

export type SimdLevel = "relaxed" | "simd";

export interface LoadedKernels {
  readonly exports: KernelExports;
  /** Which variant was instantiated. */
  readonly simd: SimdLevel;
  /** The compiled module and its memory, which worker threads instantiate again. */
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
}

/** The smallest module that uses a SIMD-128 instruction: (func (result v128) (v128.const i32x4 0 0 0 0)). */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

/** Whether this runtime runs WebAssembly SIMD-128 (the wasm backend needs it). */
export function simdSupported(): boolean {
  return typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
}

export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

/** Node 20 has relaxed SIMD behind a V8 flag that may be set at run time, before compiling. */
async function enableRelaxedSimdInNode(): Promise<void> {
  if (!isNode()) return;
  const name = "node:v8"; // a variable keeps bundlers from resolving it for the browser
  const v8 = (await import(/* @vite-ignore */ name)) as { setFlagsFromString(flags: string): void };
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

async function readBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  if (isNode() && url.protocol === "file:") {
    const name = "node:fs/promises";
    const fs = (await import(/* @vite-ignore */ name)) as { readFile(u: URL): Promise<Uint8Array<ArrayBuffer>> };
    return fs.readFile(url);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`wasm backend: fetching ${url.href} failed with HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Largest memory (pages of 64 KiB) a shared memory may grow to: 2 GiB, as declared by the build. */
const MAX_PAGES = 32768;
const INITIAL_PAGES = 64;

/** Whether this runtime can share memory with worker threads (browsers: only when cross-origin isolated). */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer !== "function") return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

/** Instantiates a compiled kernel module on `memory` (the main thread and every worker do this). */
export async function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort: () => {
        throw new Error("wasm backend: a kernel aborted");
      },
    },
  });
  return { ...(instance.exports as unknown as Omit<KernelExports, "memory">), memory };
}

/**
 * Loads the relaxed-SIMD kernels where the runtime validates them, else the plain SIMD ones, over a
 * shared memory when `shared` (for worker threads). Throws when the files are missing (run
 * `npm run build`) or SIMD is unsupported.
 */
export async function loadKernels(shared: boolean): Promise<LoadedKernels> {
  if (!simdSupported()) throw new Error("wasm backend: this runtime has no WebAssembly SIMD");
  await enableRelaxedSimdInNode();
  const suffix = shared ? "-shared" : "";
  const relaxed = await readBytes(new URL(`./build/kernels-relaxed${suffix}.wasm`, import.meta.url));
  const useRelaxed = WebAssembly.validate(relaxed);
  const bytes = useRelaxed ? relaxed : await readBytes(new URL(`./build/kernels-simd${suffix}.wasm`, import.meta.url));
  const module = await WebAssembly.compile(bytes);
  const memory = shared
    ? new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: INITIAL_PAGES });
  return { exports: await instantiate(module, memory), simd: useRelaxed ? "relaxed" : "simd", module, memory };
}
