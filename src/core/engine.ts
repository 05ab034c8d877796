// The engine: which backend runs ops, whether gradients are recorded, and who owns tensor memory
// (scopes). `apply` is the single door every primitive goes through: shape rule, kernel, autograd node.

import type { Backend, FusedKernel, Kernel, Storage } from "./backend.js";
import type { DType, TypedArray } from "./dtype.js";
import { bytesPerElement } from "./dtype.js";
import { NnlabError } from "./errors.js";
import type { FusedDef, FusedOp, FusedParams } from "./fused.js";
import { primitives, type ArgInfo, type KernelPrim, type Prim, type PrimParams } from "./prims.js";
import { sizeOf, type Shape } from "./shape.js";
import { Tensor, type TensorData } from "./tensor.js";

const registry = new Map<string, Backend>();
let current: Backend | null = null;
let gradEnabled = true;
const scopes: Tensor[][] = [];
const stats = { storages: 0, bytes: 0 };

// ---- backends ----------------------------------------------------------------------------------

/** Makes a backend available by name (called by `init()`; never as a side effect of importing). */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
}

/** Names of the registered backends. */
export function backendNames(): string[] {
  return [...registry.keys()];
}

/** Selects the backend new tensors are created on. */
export function setBackend(name: string): Backend {
  const b = registry.get(name);
  if (!b) {
    throw NnlabError.problem({
      subject: "backend",
      expected: `one of ${backendNames().join(", ") || "(none registered)"}`,
      found: JSON.stringify(name),
      fix: registry.size ? "" : "Call `await init()` first.",
    });
  }
  current = b;
  return b;
}

/** The backend new tensors are created on. */
export function getBackend(): Backend {
  if (!current) throw new NnlabError("no backend selected: call `await init()` (from \"nnlab\") before creating tensors");
  return current;
}

// ---- gradient mode ------------------------------------------------------------------------------

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording operations for autograd (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

// ---- memory -------------------------------------------------------------------------------------

/** Allocates engine-owned data with one reference. */
export function newData(backend: Backend, storage: Storage): TensorData {
  stats.storages++;
  stats.bytes += storage.size * bytesPerElement(storage.dtype);
  return { backend, storage, refs: 1 };
}

/** Drops one reference; frees the buffer when none is left. */
export function releaseData(data: TensorData): void {
  if (--data.refs === 0) {
    stats.storages--;
    stats.bytes -= data.storage.size * bytesPerElement(data.storage.dtype);
    data.backend.free(data.storage);
  }
}

/** Registers a new tensor with the innermost scope, if any. */
export function track(t: Tensor): void {
  const scope = scopes[scopes.length - 1];
  if (scope) scope.push(t);
}

function collectTensors(value: unknown, into: Set<Tensor>, depth = 0): void {
  if (value instanceof Tensor) into.add(value);
  else if (depth < 4 && Array.isArray(value)) for (const v of value) collectTensors(v, into, depth + 1);
  else if (depth < 4 && value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into, depth + 1);
  }
}

/**
 * Runs `fn` in a memory scope: every tensor created inside is released at the end, except the tensors
 * returned (in a value, array or plain object), tensors marked with `keep()`, and gradients stored on
 * leaves by `backward()`. A training step runs inside one.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) parent?.push(t);
    else if (!t.kept) t.dispose();
  }
  return result;
}

/** Exempts `t` from scope clean-up (it lives until disposed by hand). */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  return t;
}

/** Live engine-owned buffers and their bytes (tests assert this does not grow across steps). */
export function memory(): { storages: number; bytes: number } {
  return { ...stats };
}

// ---- running primitives -------------------------------------------------------------------------

/** Uploads a typed array as a new tensor on `backend` (default: the current one). */
export function fromTypedArray(data: TypedArray, shape: Shape, backend: Backend = getBackend()): Tensor {
  const dtype: DType = data instanceof Float64Array ? "float64" : data instanceof Int32Array ? "int32" : "float32";
  if (!backend.dtypes.includes(dtype)) throw new NnlabError(`backend ${backend.name} does not support ${dtype} tensors`);
  return new Tensor(newData(backend, backend.upload(data)), [...shape], dtype);
}

/** Runs primitive `prim` on `inputs`: checks shapes, runs the backend's kernel, records the autograd node. */
export function apply<P extends Prim>(prim: P, inputs: readonly Tensor[], params: PrimParams[P]): Tensor {
  const def = primitives[prim];
  if (prim !== "reshape") {
    const backend = inputs.length ? inputs[0].data.backend : getBackend();
    return run(prim, def.infer, backend.kernels[prim as KernelPrim] as Kernel<KernelPrim>, def.vjp as AnyVjp | undefined, inputs, params);
  }
  checkInputs(prim, inputs);
  const info: ArgInfo = def.infer(inputs, params);
  inputs[0].data.refs++;
  const out = new Tensor(inputs[0].data, [...info.shape], info.dtype);
  record(prim, def.vjp as AnyVjp | undefined, inputs, out, params);
  return out;
}

/**
 * Runs fused op `op` with the kernel `kernel` of the inputs' backend (fused.ts decides when): the same
 * door as `apply`, with the fused op's shape rule and gradient.
 */
export function applyFused<F extends FusedOp>(op: F, def: FusedDef<F>, kernel: FusedKernel<F>, inputs: readonly Tensor[], params: FusedParams[F]): Tensor {
  return run(op, def.infer, kernel as Kernel<KernelPrim>, def.vjp, inputs, params);
}

function checkInputs(op: string, inputs: readonly Tensor[]): Backend {
  if (inputs.length === 0) return getBackend(); // the shape rule reports the missing inputs
  const backend = inputs[0].data.backend;
  for (const t of inputs) {
    if (t.disposed) throw new NnlabError(`${op}: an input tensor was already released (it was created in a finished tidy() scope)`);
    if (t.data.backend !== backend) throw new NnlabError(`${op}: inputs live on different backends (${backend.name} and ${t.data.backend.name})`);
  }
  return backend;
}

type AnyVjp = (g: Tensor, inputs: readonly Tensor[], out: Tensor, params: never) => (Tensor | null)[];

function record(op: Prim | FusedOp, vjp: AnyVjp | undefined, inputs: readonly Tensor[], out: Tensor, params: unknown): void {
  if (gradEnabled && vjp && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    const rule = vjp as (g: Tensor, inputs: readonly Tensor[], out: Tensor, params: unknown) => (Tensor | null)[];
    out.node = { prim: op, inputs, vjp: (g: Tensor) => rule(g, inputs, out, params) };
  }
}

/**
 * Ops whose kernels write every element of their output on every backend, so the output need not be
 * zeroed first (Backend.allocUninit). Ops left out (reductions, pad, gather, scatterAdd, oneHot, cast,
 * im2col, col2im, cross-entropy) may rely on a zero-filled output. test/backend/uninit.test.ts runs
 * these ops and a training step on a wasm heap that fills such outputs with NaN first.
 */
export const WRITES_EVERY_ELEMENT: ReadonlySet<string> = new Set([
  "neg", "exp", "log", "sqrt", "tanh", "erf", "add", "sub", "mul", "div", "maximum", "greater", "equal", "where",
  "matmul", "permute", "broadcastTo", "slice", "concat",
  "sigmoid", "sigmoidGrad", "linear", "softmax", "softmaxGrad", "logSoftmax", "logSoftmaxGrad", "layerNorm", "normalize", "layerNormGradX", "layerNormGradW",
  "gelu", "geluGrad", "causalAttention", "causalAttentionGrad", "packedAttention", "packedAttentionGrad", "attentionPattern", "lstmCell", "lstmCellGrad",
]);

/** Shape rule, output buffer, kernel, autograd node: the steps every op takes. */
function run<T>(
  op: Prim | FusedOp,
  infer: (inputs: readonly ArgInfo[], params: T) => ArgInfo,
  kernel: Kernel<KernelPrim>,
  vjp: AnyVjp | undefined,
  inputs: readonly Tensor[],
  params: T,
): Tensor {
  const backend = checkInputs(op, inputs);
  const info: ArgInfo = infer(inputs, params);
  if (!backend.dtypes.includes(info.dtype)) throw new NnlabError(`${op}: backend ${backend.name} does not support ${info.dtype}`);
  const size = sizeOf(info.shape);
  const storage = backend.allocUninit && size > 0 && WRITES_EVERY_ELEMENT.has(op) ? backend.allocUninit(info.dtype, size) : backend.alloc(info.dtype, size);
  const out = new Tensor(newData(backend, storage), [...info.shape], info.dtype);
  if (size > 0) kernel(out, inputs, params as PrimParams[KernelPrim]); // a Tensor is its own KernelArg
  record(op, vjp, inputs, out, params);
  return out;
}
